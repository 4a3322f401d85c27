#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "mwclass/catalog/synthetic.hpp"
#include "mwclass/core/bytes.hpp"
#include "mwclass/ensemble/assemble.hpp"
#include "mwclass/ensemble/ensemble.hpp"

using namespace mwclass;

namespace {
struct Fixture {
  Config config = Config::defaults();
  catalog::Catalog td, field;
  Fixture() {
    config.classifier.forest.n_trees = 10;
    config.monte_carlo.iterations = 5;
    catalog::SimulationParams p;
    p.n_sources = 700;
    p.seed = 8;
    td = catalog::simulate_catalog(config, p);
    p.n_sources = 30;
    p.labelled = false;
    p.catalog_id = 1;
    field = catalog::simulate_catalog(config, p);
  }
  ensemble::WorkItem bin() const {
    ensemble::WorkItem item;
    item.id = 7;
    item.ebv = 0.2;
    for (std::uint64_t r = 3; r < 23; ++r) item.rows.push_back(r);
    return item;
  }
};

// The item's result joined from two chunks of its 5 iterations, [0, split)
// on 1 thread and [split, 5) on 2 threads, the later chunk arriving first.
ensemble::WorkResult run_in_two_chunks(const ensemble::Ensemble& e, const catalog::Catalog& field,
                                       const ensemble::WorkItem& item, int split, bool keep) {
  const auto sources = field.subset({item.rows.begin(), item.rows.end()});
  std::vector<ensemble::ChunkResult> chunks;
  chunks.push_back(e.run_chunk(sources, item, {0, split, 5 - split}, 2));
  chunks.push_back(e.run_chunk(sources, item, {0, 0, split}, 1));
  return ensemble::finish_item(item, std::move(chunks), 8, 5, keep);
}

void check_identical(const ensemble::WorkResult& a, const ensemble::WorkResult& b) {
  CHECK(a.probabilities.mean == b.probabilities.mean);
  CHECK(a.probabilities.std == b.probabilities.std);
  CHECK(a.probabilities.median == b.probabilities.median);
  CHECK(a.probabilities.q_lo == b.probabilities.q_lo);
  CHECK(a.probabilities.q_hi == b.probabilities.q_hi);
  CHECK(a.importance_mean == b.importance_mean);
  CHECK(a.importance_std == b.importance_std);
  CHECK(a.per_iteration == b.per_iteration);
}
}  // namespace

TEST_CASE("an item's result does not depend on how its iterations are chunked, nor on threads") {
  const Fixture f;
  const ensemble::Ensemble e(f.config, f.td);
  const auto item = f.bin();
  const auto whole = e.run(f.field, item, 1, true);
  const auto joined = run_in_two_chunks(e, f.field, item, 2, true);
  check_identical(whole, joined);
  CHECK(whole.iterations == 5);
  CHECK(whole.per_iteration.size() == 20u * 5 * 8);
}

TEST_CASE("the MC draws change the result; the same key gives the same result") {
  Fixture f;
  const ensemble::Ensemble e(f.config, f.td);
  auto item = f.bin();
  const auto a = e.run(f.field, item, 1);
  const auto b = e.run(f.field, item, 1);
  check_identical(a, b);
  CHECK((a.probabilities.std.array() > 0).any());  // MC spread exists
  item.id = 8;  // another bin id: other SMOTE and forest streams
  CHECK(e.run(f.field, item, 1).probabilities.mean != a.probabilities.mean);
}

TEST_CASE("reddening the training AGN changes their features only") {
  Fixture f;
  f.config.monte_carlo.enabled = false;
  const ensemble::Ensemble e(f.config, f.td);
  auto item = f.bin();
  const auto plain = e.run(f.field, item, 1);
  item.ebv = 1.5;
  const auto reddened = e.run(f.field, item, 1);
  CHECK(plain.probabilities.mean != reddened.probabilities.mean);
  CHECK(plain.iterations == 1);
}

TEST_CASE("gbdt and nb in the ensemble: chunking and threads do not matter; nb keeps a track") {
  for (const char* model : {"nb", "gbdt"}) {
    CAPTURE(model);
    Fixture f;
    f.config.classifier.model = model;
    f.config.classifier.gbdt.n_rounds = 10;
    const ensemble::Ensemble e(f.config, f.td);
    const auto item = f.bin();
    const auto whole = e.run(f.field, item, 1, true);
    const auto joined = run_in_two_chunks(e, f.field, item, 3, true);
    check_identical(whole, joined);
    CHECK(whole.track.steps == joined.track.steps);
    CHECK(whole.track.values == joined.track.values);
    if (std::string(model) == "gbdt") {
      CHECK(whole.track.empty());
      continue;
    }
    // prior, 7 spectrum features + category, 2 variability + category,
    // 20 multiwavelength + category.
    REQUIRE(whole.track.steps.size() == 1 + 8 + 3 + 21);
    CHECK(whole.track.steps.front() == "prior");
    CHECK(whole.track.steps[8] == "spectrum");
    CHECK(whole.track.steps.back() == "multiwavelength");
    CHECK(whole.track.values.size() == item.rows.size() * whole.track.steps.size() * 8);
    for (std::size_t k = 0; k + 8 <= whole.track.values.size(); k += 8) {
      double sum = 0.0;
      for (std::size_t c = 0; c < 8; ++c) sum += whole.track.values[k + c];
      CHECK(sum == doctest::Approx(1.0).epsilon(1e-12));
    }
  }
}

TEST_CASE("work results encode and decode; format-1 checkpoints (no track) are still read") {
  const Fixture f;
  Config config = f.config;
  config.classifier.model = "nb";
  const ensemble::Ensemble e(config, f.td);
  const auto result = e.run(f.field, f.bin(), 1, false);
  REQUIRE(!result.track.empty());
  ByteWriter w;
  ensemble::encode(w, result);
  ByteReader r(w.bytes());
  ensemble::WorkResult back;
  ensemble::decode(r, back);
  check_identical(result, back);
  CHECK(back.track.steps == result.track.steps);
  CHECK(back.track.values == result.track.values);

  CHECK(back.outlier_score == result.outlier_score);
  CHECK(back.outlier_percentile == result.outlier_percentile);

  // Format 2 ended after the track, format 1 after the timing: the same bytes
  // without the trailing (empty) vectors.
  // Encodes `older`, drops its last `empty_vectors` (8-byte sizes), decodes as `format`.
  auto as_older_format = [](const ensemble::WorkResult& older, int empty_vectors, int format) {
    ByteWriter w;
    ensemble::encode(w, older);
    std::vector<char> bytes(w.bytes().begin(), w.bytes().end() - 8 * empty_vectors);
    ByteReader r(bytes);
    ensemble::WorkResult decoded;
    ensemble::decode(r, decoded, format);
    return decoded;
  };
  ensemble::WorkResult older = result;
  older.outlier_score.clear();
  older.outlier_percentile.clear();
  const auto format2 = as_older_format(older, 2, 2);
  check_identical(result, format2);
  CHECK(format2.track.values == result.track.values);
  CHECK(format2.outlier_score.empty());
  older.track = {};
  const auto format1 = as_older_format(older, 4, 1);
  check_identical(result, format1);
  CHECK(format1.track.empty());
}

TEST_CASE("outlier measure in the ensemble: a planted outlier is flagged by every model, chunking does not matter") {
  for (const std::string model : {"nb", "rf", "gbdt"}) {
    CAPTURE(model);
    Fixture f;
    f.config.classifier.model = model;
    if (model == "rf") f.config.classifier.forest.n_trees = 100;  // proximities need trees
    auto item = f.bin();
    // Plant: source row 5 gets a spectrum no class has (soft band 10^4 times
    // brighter, hard band 10^4 times fainter) and colours no star or galaxy
    // has (magnitudes shifted by +-8 alternately), in every band.
    const auto planted = static_cast<Eigen::Index>(5);
    catalog::Catalog field = f.field;
    field.xray_flux(planted, 0) *= 1e4;
    field.xray_flux(planted, field.xray_flux.cols() - 1) *= 1e-4;
    for (Eigen::Index b = 0; b < field.mag.cols(); ++b) {
      field.mag(planted, b) = 14.0 + (b % 2 ? 8.0 : -8.0);
      field.mag_error(planted, b) = 0.05;
    }
    const ensemble::Ensemble e(f.config, f.td);
    const auto whole = e.run(field, item, 1, false);
    REQUIRE(whole.outlier_score.size() == item.rows.size());
    const auto at = static_cast<std::size_t>(
        std::find(item.rows.begin(), item.rows.end(), static_cast<std::uint64_t>(planted)) - item.rows.begin());
    REQUIRE(at < item.rows.size());
    if (model == "rf") {
      // The forest's leaf proximity sees a source beyond the training range
      // like the members at the range's edge (a fully grown tree's edge cells
      // reach to infinity): the planted source is among the 10 % most
      // unusual (seen: 0.076), not flagged at 1 % (outlier.hpp).
      CHECK(whole.outlier_percentile[at] < 0.1);
    } else {
      CHECK(whole.outlier_percentile[at] < 0.01);
    }
    int typical = 0, above = 0;
    for (std::size_t j = 0; j < item.rows.size(); ++j) {
      CHECK(whole.outlier_percentile[j] >= 0.0);
      CHECK(whole.outlier_percentile[j] <= 1.0);
      if (j == at) continue;
      typical += whole.outlier_percentile[j] > 0.05;
      above += whole.outlier_score[j] >= whole.outlier_score[at];
    }
    CHECK(typical >= static_cast<int>(item.rows.size()) - 4);
    if (model != "rf") CHECK(above == 0);  // rf: scores of different classes are not comparable
    const auto joined = run_in_two_chunks(e, field, item, 2, false);
    CHECK(joined.outlier_score == whole.outlier_score);
    CHECK(joined.outlier_percentile == whole.outlier_percentile);
  }
}

TEST_CASE("location features: Galactic l, b appended as columns, usable by nb categories") {
  Fixture f;
  f.config.features.location = true;
  const ensemble::Ensemble e(f.config, f.td);
  const auto& names = e.feature_names();
  REQUIRE(names.size() == 31u);
  CHECK(names[29] == "gal_l");
  CHECK(names[30] == "gal_b");
  const auto with = e.run(f.field, f.bin(), 1, false);
  CHECK(with.importance_mean.size() == 31u);
  CHECK(with.importance_mean[29] + with.importance_mean[30] > 0.0);

  f.config.classifier.model = "nb";
  f.config.classifier.nb.categories.push_back({"location", 1.0, {"gal_l", "gal_b"}});
  f.config.validate();
  const ensemble::Ensemble nb(f.config, f.td);
  const auto r = nb.run(f.field, f.bin(), 1, false);
  CHECK(r.track.steps.back() == "location");
  CHECK(r.track.steps[r.track.steps.size() - 2] == "location/gal_b");
}

TEST_CASE("nb quality exponents change the probabilities, not their chunking invariance") {
  Fixture f;
  f.config.classifier.model = "nb";
  const auto item = f.bin();
  const auto plain = ensemble::Ensemble(f.config, f.td).run(f.field, item, 1, false);
  f.config.classifier.nb.quality = true;
  const ensemble::Ensemble e(f.config, f.td);
  const auto whole = e.run(f.field, item, 1, true);
  CHECK(whole.probabilities.mean != plain.probabilities.mean);
  CHECK(whole.track.values != plain.track.values);
  const auto joined = run_in_two_chunks(e, f.field, item, 1, true);
  check_identical(whole, joined);
  CHECK(whole.track.values == joined.track.values);
}
