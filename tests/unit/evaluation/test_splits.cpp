#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "mwclass/core/error.hpp"
#include "mwclass/evaluation/splits.hpp"

using namespace mwclass;
using namespace mwclass::evaluation;

namespace {
// 3 classes of 30, 12 and 5 members, interleaved.
Labels toy_labels() {
  Labels y;
  for (int i = 0; i < 30; ++i) y.push_back(0);
  for (int i = 0; i < 12; ++i) y.push_back(1);
  for (int i = 0; i < 5; ++i) y.push_back(2);
  std::rotate(y.begin(), y.begin() + 17, y.end());
  return y;
}
}  // namespace

TEST_CASE("subset specifications parse, and bad ones name --subset") {
  CHECK(Subset::parse("all").kind == Subset::All);
  CHECK(Subset::parse("every:7").every == 7);
  CHECK(Subset::parse("class-stratified:0.25").fraction == 0.25);
  for (const char* bad : {"every:0", "every:x", "class-stratified:0", "class-stratified:1.5", "some"})
    CHECK_THROWS_WITH_AS(Subset::parse(bad), doctest::Contains("--subset"), Error);
}

TEST_CASE("every:K takes rows 0, K, 2K, ...; class-stratified keeps the class mix") {
  const Labels y = toy_labels();
  CHECK(select_subset(y, 3, Subset::parse("every:10"), 1) == std::vector<std::size_t>{0, 10, 20, 30, 40});
  const auto rows = select_subset(y, 3, Subset::parse("class-stratified:0.5"), 1);
  int count[3] = {0, 0, 0};
  for (auto r : rows) ++count[y[r]];
  CHECK(count[0] == 15);
  CHECK(count[1] == 6);
  CHECK(count[2] == 3);  // round(2.5) = 3 (llround rounds half away from zero)
  CHECK(std::is_sorted(rows.begin(), rows.end()));
  CHECK(rows == select_subset(y, 3, Subset::parse("class-stratified:0.5"), 1));
  CHECK(rows != select_subset(y, 3, Subset::parse("class-stratified:0.5"), 2));
  // a tiny fraction still keeps one member of every class
  const auto tiny = select_subset(y, 3, Subset::parse("class-stratified:0.01"), 1);
  CHECK(tiny.size() == 3);
}

TEST_CASE("stratified folds: every class spread evenly, deterministic per repeat") {
  const Labels y = toy_labels();
  const std::vector<std::string> names = {"A", "B", "C"};
  const auto f0 = stratified_folds(y, names, 5, 9, 0);
  REQUIRE(f0.size() == y.size());
  for (int c = 0; c < 3; ++c) {
    std::vector<int> per_fold(5, 0);
    for (std::size_t i = 0; i < y.size(); ++i)
      if (y[i] == c) ++per_fold[f0[i]];
    const auto [lo, hi] = std::minmax_element(per_fold.begin(), per_fold.end());
    CHECK(*hi - *lo <= 1);
  }
  CHECK(f0 == stratified_folds(y, names, 5, 9, 0));
  CHECK(f0 != stratified_folds(y, names, 5, 9, 1));
  CHECK_THROWS_WITH_AS(stratified_folds(y, names, 6, 9, 0),
                       doctest::Contains("class 'C' has 5 member(s), fewer than --folds 6"), Error);
}

TEST_CASE("cv items cover every source once per repeat and hold out exactly their fold") {
  catalog::Catalog td;
  td.labels = toy_labels();
  td.names.resize(td.labels.size());
  td.ebv.assign(td.labels.size(), 0.4);
  Config config = Config::defaults();
  config.classifier.classes = {"AGN", "CV", "YSO"};
  const auto items = cv_items(td, config, 4, 2);
  REQUIRE(items.size() == 8);
  for (int r = 0; r < 2; ++r) {
    std::multiset<std::uint64_t> seen;
    for (int f = 0; f < 4; ++f) {
      const auto& it = items[static_cast<std::size_t>(r * 4 + f)];
      CHECK(it.id == static_cast<std::uint64_t>(r * 4 + f));
      CHECK(it.kind == ensemble::WorkKind::Fold);
      CHECK(it.rows == it.held_out);
      CHECK(it.ebv == 0.0);
      seen.insert(it.rows.begin(), it.rows.end());
    }
    CHECK(seen.size() == td.labels.size());
    CHECK(std::set<std::uint64_t>(seen.begin(), seen.end()).size() == td.labels.size());
  }
}

TEST_CASE("loocv items leave out their own source and redden to its E(B-V) when known") {
  catalog::Catalog td;
  td.labels = {0, 1, 0};
  td.names = {"a", "b", "c"};
  td.ebv = {0.3, kMissing, 0.1};
  Config config = Config::defaults();
  const auto items = loocv_items(td, config, {0, 1, 2});
  REQUIRE(items.size() == 3);
  CHECK(items[1].rows == std::vector<std::uint64_t>{1});
  CHECK(items[1].held_out == std::vector<std::uint64_t>{1});
  CHECK(items[0].ebv == 0.3);
  CHECK(items[1].ebv == 0.0);  // no E(B-V): no reddening
  config.reddening.enabled = false;
  CHECK(loocv_items(td, config, {0})[0].ebv == 0.0);
}
