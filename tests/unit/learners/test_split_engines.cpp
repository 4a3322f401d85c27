// The forest's split engines side by side (src/learners/forest/): the sort
// path (narrow and wide keys), the histogram path (one column, and the
// row-major batch of byte codes) and the compact path (SSE2 and scalar lanes)
// run on the same nodes, feature after feature with a shared running best,
// and must leave the same split record — feature, codes, proxy improvement
// (bit for bit), left class counts, threshold — and the same verdict on
// constant features. Nodes are random: several classes, bootstrap and class
// weights, ties, the -100 missing flag, few and many distinct values,
// constant features, tiny and large nodes. The engine objects are reused
// across nodes, as a tree builder reuses them, so a slot not zeroed after its
// scan shows up in the next node.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "learners/forest/compact.hpp"
#include "learners/forest/encoding.hpp"
#include "learners/forest/histogram.hpp"
#include "learners/forest/lanes.hpp"
#include "learners/forest/sorted_scan.hpp"
#include "learners/forest/split.hpp"
#include "mwclass/core/matrix.hpp"
#include "mwclass/core/rng.hpp"

namespace fs = mwclass::learners::forest;
using mwclass::Labels;
using mwclass::Matrix;

namespace {

// The split record after one feature's evaluation.
struct Snapshot {
  bool evaluated = false;
  fs::Split split;
  std::vector<std::int64_t> left;
  double threshold = 0.0;
};

bool same(const Snapshot& a, const Snapshot& b) {
  return a.evaluated == b.evaluated && a.split.feature == b.split.feature &&
         a.split.code_lo == b.split.code_lo && a.split.code_hi == b.split.code_hi &&
         std::memcmp(&a.split.proxy, &b.split.proxy, sizeof(double)) == 0 && a.left == b.left &&
         std::memcmp(&a.threshold, &b.threshold, sizeof(double)) == 0;
}

std::string describe(const Snapshot& s) {
  std::string out = (s.evaluated ? "evaluated" : "constant") + std::string(" f=") +
                    std::to_string(s.split.feature) + " codes " + std::to_string(s.split.code_lo) + "|" +
                    std::to_string(s.split.code_hi) + " proxy " + std::to_string(s.split.proxy) + " left";
  for (std::int64_t c : s.left) out += " " + std::to_string(c);
  return out;
}

// A training set whose features are of the kinds the MUWCLASS matrix has.
// levels_max bounds the distinct values of a feature (byte codes: <= 256,
// compact: <= 64); 0 gives continuous features (16-bit codes for >= 257 rows).
struct Dataset {
  Matrix X;
  Labels y;
  int n_classes = 0;
  std::vector<std::uint32_t> weight;  // bootstrap count times class weight
  std::vector<std::uint16_t> yw;      // fs::class_count per row
};

Dataset make_dataset(mwclass::rng::Stream& s, int n, int p, int n_classes, int levels_max,
                     std::uint32_t max_count, std::uint32_t max_class_weight) {
  Dataset d;
  d.n_classes = n_classes;
  d.X.resize(n, p);
  d.y.resize(static_cast<std::size_t>(n));
  std::vector<int> levels(static_cast<std::size_t>(p));
  std::vector<double> flagged(static_cast<std::size_t>(p));
  for (int f = 0; f < p; ++f) {
    const int kind = static_cast<int>(s.below(5));
    levels[static_cast<std::size_t>(f)] =
        kind == 0 ? 1 : kind == 1 ? 2 : static_cast<int>(2 + s.below(static_cast<std::uint64_t>(std::max(1, levels_max - 2))));
    if (levels_max == 0 && (kind >= 2 || f == 0)) levels[static_cast<std::size_t>(f)] = 0;  // continuous
    flagged[static_cast<std::size_t>(f)] = kind >= 3 && f > 0 ? 0.2 + 0.5 * s.uniform() : 0.0;
  }
  for (int i = 0; i < n; ++i) {
    double score = 0.0;
    for (int f = 0; f < p; ++f) {
      const int k = levels[static_cast<std::size_t>(f)];
      const double u = s.uniform();
      double v = k == 0 ? std::round(s.normal() * 1e4) / 1e3 : std::floor(u * (k - 1 + 0.999)) * 0.5 - 3.0;
      if (k == 1) v = 2.5;  // a constant column
      if (s.uniform() < flagged[static_cast<std::size_t>(f)]) v = -100.0;
      d.X(i, f) = v;
      if (f < 3) score += v == -100.0 ? 1.0 : v;
    }
    const int signal = std::clamp(static_cast<int>(std::floor(score / 2.0 + n_classes / 2.0)), 0, n_classes - 1);
    d.y[static_cast<std::size_t>(i)] =
        s.uniform() < 0.25 ? static_cast<int>(s.below(static_cast<std::uint64_t>(n_classes))) : signal;
  }
  std::vector<std::uint32_t> class_weight(static_cast<std::size_t>(n_classes));
  for (auto& w : class_weight) w = 1 + static_cast<std::uint32_t>(s.below(max_class_weight));
  d.weight.resize(static_cast<std::size_t>(n));
  d.yw.resize(static_cast<std::size_t>(n));
  for (std::size_t r = 0; r < d.weight.size(); ++r) {
    const auto count = static_cast<std::uint32_t>(s.below(max_count + 1));  // 0: out of bag
    d.weight[r] = count * class_weight[static_cast<std::size_t>(d.y[r])];
    d.yw[r] = fs::class_count(d.weight[r], d.y[r]);
  }
  return d;
}

// A node: in-bag rows in ascending order (as the builder's partition keeps
// them), often the left or right side of a split on some feature so that
// features become constant or sparse in it.
struct Node {
  std::vector<std::uint32_t> rows;  // m rows, then Compact::kPrefetch padding
  std::size_t m = 0;
  std::vector<std::int64_t> counts;
  fs::NodeCounts view;
};

// root: every in-bag row.
bool make_node(mwclass::rng::Stream& s, const Dataset& d, std::size_t min_rows, bool root, Node& node) {
  const auto n = static_cast<std::size_t>(d.X.rows());
  double keep = s.uniform() < 0.3 ? 0.005 + 0.05 * s.uniform() : 0.05 + 0.95 * s.uniform();
  const auto g = static_cast<Eigen::Index>(s.below(static_cast<std::uint64_t>(d.X.cols())));
  const double cut = d.X(static_cast<Eigen::Index>(s.below(n)), g);
  int side = static_cast<int>(s.below(3));  // 0: all rows, 1: x_g <= cut, 2: x_g > cut
  if (root) {
    keep = 1.0;
    side = 0;
  }
  node.rows.clear();
  for (std::size_t r = 0; r < n; ++r) {
    const double v = d.X(static_cast<Eigen::Index>(r), g);
    if (d.weight[r] == 0 || (side == 1 && v > cut) || (side == 2 && v <= cut)) continue;
    if (s.uniform() < keep) node.rows.push_back(static_cast<std::uint32_t>(r));
  }
  node.m = node.rows.size();
  if (node.m < min_rows) return false;
  node.rows.resize(node.m + fs::Compact<>::kPrefetch, 0u);
  node.counts.assign(static_cast<std::size_t>(d.n_classes), 0);
  int classes_present = 0;
  for (std::size_t q = 0; q < node.m; ++q)
    node.counts[static_cast<std::size_t>(d.y[node.rows[q]])] += d.weight[node.rows[q]];
  node.view = {node.counts.data(), node.counts.size(), 0, 0};
  for (std::int64_t c : node.counts) {
    node.view.total += c;
    node.view.sq += c * c;
    classes_present += c > 0;
  }
  return classes_present > 1;  // the builder makes a pure node a leaf
}

// One engine's evaluation of the features f[0, n) of a node in order into
// `best`, with the batches the builder would fill together (batch sizes).
using Engine = std::function<void(const Node&, const int* f, const std::vector<std::size_t>& batches,
                                  fs::BestSplit& best, std::vector<Snapshot>& out)>;

struct Bench {
  const Dataset& d;
  const fs::Encoded& data;  // Encoded::compact false
  std::size_t min_leaf;
  fs::Sample sample;
  fs::SweepScratch scratch;

  Bench(const Dataset& d_, const fs::Encoded& data_, std::size_t min_leaf_)
      : d(d_), data(data_), min_leaf(min_leaf_), sample{d.y.data(), d.weight.data(), d.yw.data()},
        scratch(static_cast<std::size_t>(d.n_classes)) {}

  Snapshot snap(bool evaluated, const fs::BestSplit& best) const {
    Snapshot s{evaluated, best.split, best.left, 0.0};
    if (best.split.feature >= 0 && static_cast<std::size_t>(best.split.feature) < data.n_features)
      s.threshold = data.threshold(best.split.feature, best.split.code_lo, best.split.code_hi);
    return s;
  }

  // An engine that evaluates one feature at a time: eval(node, f, best) says
  // whether the feature was evaluated.
  template <typename Eval>
  Engine one_by_one(Eval eval) {
    return [this, eval](const Node& node, const int* f, const std::vector<std::size_t>& batches,
                        fs::BestSplit& best, std::vector<Snapshot>& out) {
      std::size_t n = 0;
      for (std::size_t b : batches) n += b;
      for (std::size_t i = 0; i < n; ++i) out.push_back(snap(eval(node, f[i], best), best));
    };
  }

  // An engine that fills a batch of features, then scans them in order:
  // fill(node, f, n) and scan(node, slot, f, best).
  template <typename Fill, typename Scan>
  Engine batched(Fill fill, Scan scan) {
    return [this, fill, scan](const Node& node, const int* f, const std::vector<std::size_t>& batches,
                              fs::BestSplit& best, std::vector<Snapshot>& out) {
      for (std::size_t batch : batches) {
        fill(node, f, batch);
        for (std::size_t b = 0; b < batch; ++b) out.push_back(snap(scan(node, b, f[b], best), best));
        f += batch;
      }
    };
  }

  template <typename Code>
  const Code* column(int f) const {
    return fs::codes_of<Code>(data) + static_cast<std::size_t>(f) * data.n_rows;
  }

  template <typename Code, typename Layout>
  Engine sorted() {
    auto engine = std::make_shared<fs::SortedScan<Code, Layout>>(data.n_rows, data.max_codes);
    return one_by_one([this, engine](const Node& node, int f, fs::BestSplit& best) {
      return engine->scan(node.rows.data(), node.m, column<Code>(f), f, sample, min_leaf, node.view, scratch, best);
    });
  }

  template <typename Code, typename L = fs::Lanes>
  Engine histogram_column() {
    auto engine = std::make_shared<fs::Histogram<Code, L>>(data, 1);
    return one_by_one([this, engine](const Node& node, int f, fs::BestSplit& best) {
      engine->fill(node.rows.data(), node.m, column<Code>(f), sample.yw);
      return engine->scan(0, node.m, min_leaf, f, node.view, scratch, best);
    });
  }

  template <typename L = fs::Lanes>
  Engine histogram_batch() {
    auto engine = std::make_shared<fs::Histogram<std::uint8_t, L>>(data, data.n_features);
    return batched(
        [this, engine](const Node& node, const int* f, std::size_t n) {
          engine->fill_batch(node.rows.data(), node.m, f, n, sample.yw);
        },
        [this, engine](const Node& node, std::size_t slot, int f, fs::BestSplit& best) {
          return engine->scan(slot, node.m, min_leaf, f, node.view, scratch, best);
        });
  }

  // compact: the same data encoded with Encoded::compact.
  template <typename L>
  Engine compact_lanes(const fs::Encoded& compact) {
    auto engine = std::make_shared<fs::Compact<L>>(compact, compact.n_features);
    return batched(
        [this, engine](const Node& node, const int* f, std::size_t n) {
          engine->set_node(node.view);
          engine->fill(node.rows.data(), node.m, f, n, sample.yw);
        },
        [this, engine](const Node& node, std::size_t slot, int f, fs::BestSplit& best) {
          return engine->scan(slot, f, node.view, scratch, best);
        });
  }
};

struct Coverage {
  int nodes = 0, splits = 0, constant = 0, earlier_kept = 0, flagged_splits = 0, no_pretest = 0;
};

// Runs every engine on n_nodes random nodes of d and compares them with the
// first engine after every feature.
void compare(mwclass::rng::Stream& s, const Dataset& d, const fs::Encoded& data,
             const std::vector<std::pair<std::string, Engine>>& engines, std::size_t min_leaf, int n_nodes,
             Coverage& coverage) {
  const auto p = static_cast<std::size_t>(d.X.cols());
  const auto c = static_cast<std::size_t>(d.n_classes);
  Node node;
  int made = 0;
  for (int attempt = 0; attempt < 20 * n_nodes && made < n_nodes; ++attempt) {
    if (!make_node(s, d, std::max<std::size_t>(2, 2 * min_leaf), made == 0, node)) continue;
    ++made;
    ++coverage.nodes;
    coverage.no_pretest += node.view.total >= (std::int64_t{1} << 17);
    // The features in a random order (the builder's draw), in batches.
    std::vector<int> order(p);
    for (std::size_t i = 0; i < p; ++i) order[i] = static_cast<int>(i);
    for (std::size_t i = 0; i + 1 < p; ++i) std::swap(order[i], order[i + s.below(p - i)]);
    std::vector<std::size_t> batches;
    for (std::size_t left = p; left > 0;) {
      const std::size_t b = 1 + static_cast<std::size_t>(s.below(std::min<std::size_t>(left, 6)));
      batches.push_back(b);
      left -= b;
    }
    // Sometimes a best split of an earlier feature set already stands (the
    // pre-test bar is then high from the start).
    const bool head_start = s.uniform() < 0.3;
    std::vector<std::vector<Snapshot>> runs(engines.size());
    for (std::size_t e = 0; e < engines.size(); ++e) {
      fs::BestSplit best{fs::Split{}, std::vector<std::int64_t>(c, 0)};
      if (head_start) {
        best.split = {static_cast<int>(p), 0, 1, -0.5 * static_cast<double>(node.view.total)};
        best.left[0] = -1;
      }
      engines[e].second(node, order.data(), batches, best, runs[e]);
    }
    REQUIRE(runs[0].size() == p);
    for (std::size_t e = 1; e < engines.size(); ++e) {
      REQUIRE(runs[e].size() == p);
      for (std::size_t i = 0; i < p; ++i) {
        if (same(runs[0][i], runs[e][i])) continue;
        FAIL_CHECK(engines[e].first << " differs from " << engines[0].first << " at feature " << order[i]
                                    << " (node of " << node.m << " rows, min_leaf " << min_leaf << "): "
                                    << describe(runs[e][i]) << " vs " << describe(runs[0][i]));
        return;
      }
    }
    for (std::size_t i = 0; i < p; ++i) {
      coverage.constant += !runs[0][i].evaluated;
      if (i > 0 && runs[0][i].evaluated && runs[0][i].split.feature == runs[0][i - 1].split.feature &&
          runs[0][i].split.feature != order[i])
        ++coverage.earlier_kept;
    }
    const fs::Split& final_split = runs[0].back().split;
    if (final_split.feature >= 0 && final_split.feature < static_cast<int>(p)) {
      ++coverage.splits;
      coverage.flagged_splits += final_split.code_lo == 0 && data.lower[static_cast<std::size_t>(final_split.feature)][0] == -100.0;
    }
  }
}

}  // namespace

TEST_CASE("split engines: byte codes — sorted (narrow, wide), histogram (column, batch), compact (SSE2, scalar) agree") {
  mwclass::rng::Stream s(mwclass::rng::derive_key({14, 2}));
  Coverage coverage;
  for (int round = 0; round < 24; ++round) {
    const int n = 40 + static_cast<int>(s.below(1800));
    const int p = 3 + static_cast<int>(s.below(6));
    const int n_classes = 2 + static_cast<int>(s.below(7));  // 2..8: the compact layout's range
    // Total weight below 2^15 (compact): n * 3 * 5 < 2^15.
    const Dataset d = make_dataset(s, n, p, n_classes, 2 + static_cast<int>(s.below(63)), 3, 5);
    const int max_bins = round % 3 == 0 ? 4 + static_cast<int>(s.below(30)) : 0;
    const fs::Encoded plain = fs::encode(d.X, d.y, n_classes, max_bins, false, 1);
    const fs::Encoded compact = fs::encode(d.X, d.y, n_classes, max_bins, true, 1);
    REQUIRE(plain.byte());
    REQUIRE(compact.compact);
    REQUIRE(plain.codes8 == compact.codes8);
    for (std::size_t min_leaf : {std::size_t{1}, std::size_t{1 + s.below(6)}}) {
      Bench bench(d, plain, min_leaf);
      std::vector<std::pair<std::string, Engine>> engines = {
          {"sorted/narrow", bench.sorted<std::uint8_t, fs::NarrowKey>()},
          {"sorted/wide", bench.sorted<std::uint8_t, fs::WideKey>()},
          {"histogram/column", bench.histogram_column<std::uint8_t>()},
          {"histogram/batch", bench.histogram_batch()},
          {"histogram/batch/scalar-lanes", bench.histogram_batch<fs::ScalarLanes>()}};
      if (min_leaf == 1) {  // the compact layout's condition
        engines.emplace_back("compact/scalar-lanes", bench.compact_lanes<fs::ScalarLanes>(compact));
#if defined(__SSE2__)
        engines.emplace_back("compact/sse2-lanes", bench.compact_lanes<fs::Sse2Lanes>(compact));
#endif
      }
      compare(s, d, plain, engines, min_leaf, 12, coverage);
    }
  }
  MESSAGE("nodes " << coverage.nodes << ", split " << coverage.splits << ", constant features "
                   << coverage.constant << ", earlier best kept " << coverage.earlier_kept << ", flag splits "
                   << coverage.flagged_splits);
  CHECK(coverage.nodes >= 400);
  CHECK(coverage.splits > coverage.nodes / 2);
  CHECK(coverage.constant > 50);
  CHECK(coverage.earlier_kept > 50);
  CHECK(coverage.flagged_splits > 10);
}

TEST_CASE("split engines: 16-bit codes and large weights — sorted (narrow, wide) and histogram (column) agree") {
  mwclass::rng::Stream s(mwclass::rng::derive_key({14, 16}));
  Coverage coverage;
  for (int round = 0; round < 12; ++round) {
    const int n = 600 + static_cast<int>(s.below(2400));
    const int p = 3 + static_cast<int>(s.below(4));
    const int n_classes = 2 + static_cast<int>(s.below(10));
    // Counts up to 255 (narrow keys) on some rounds: totals beyond 2^17, where
    // the sweep's pre-test is off.
    const std::uint32_t max_count = round % 2 == 0 ? 3 : 200;
    const Dataset d = make_dataset(s, n, p, n_classes, 0, max_count, round % 2 == 0 ? 4 : 1);
    const fs::Encoded data = fs::encode(d.X, d.y, n_classes, 0, false, 1);
    REQUIRE(!data.byte());
    REQUIRE(data.narrow());
    for (std::size_t min_leaf : {std::size_t{1}, std::size_t{1 + s.below(9)}}) {
      Bench bench(d, data, min_leaf);
      const std::vector<std::pair<std::string, Engine>> engines = {
          {"sorted/narrow", bench.sorted<std::uint16_t, fs::NarrowKey>()},
          {"sorted/wide", bench.sorted<std::uint16_t, fs::WideKey>()},
          {"histogram/column", bench.histogram_column<std::uint16_t>()},
          {"histogram/column/scalar-lanes", bench.histogram_column<std::uint16_t, fs::ScalarLanes>()}};
      compare(s, d, data, engines, min_leaf, 10, coverage);
    }
  }
  MESSAGE("nodes " << coverage.nodes << ", split " << coverage.splits << ", constant features "
                   << coverage.constant << ", without pre-test " << coverage.no_pretest);
  CHECK(coverage.nodes >= 180);
  CHECK(coverage.no_pretest > 5);
  CHECK(coverage.splits > coverage.nodes / 2);
}
