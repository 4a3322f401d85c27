#include <doctest/doctest.h>

#include <map>

#include "mwclass/parallel/scheduler.hpp"

using namespace mwclass;

namespace {
std::vector<ensemble::WorkItem> items_of_sizes(std::vector<std::size_t> sizes) {
  std::vector<ensemble::WorkItem> items;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    ensemble::WorkItem it;
    it.id = i;
    it.rows.resize(sizes[i]);
    items.push_back(it);
  }
  return items;
}
}  // namespace

TEST_CASE("one rank: one chunk per item, most expensive first") {
  const auto chunks = parallel::plan_chunks(items_of_sizes({10, 5000, 200}), 100, 1, 4);
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].item == 1);
  CHECK(chunks[1].item == 2);
  CHECK(chunks[2].item == 0);
  for (const auto& c : chunks) CHECK(c.count == 100);
}

TEST_CASE("several ranks: a big item is cut into iteration ranges that cover it exactly") {
  const auto items = items_of_sizes({20000, 3, 3, 3});
  const auto chunks = parallel::plan_chunks(items, 1000, 8, 4);
  std::map<std::size_t, std::vector<std::pair<int, int>>> ranges;
  for (const auto& c : chunks) ranges[c.item].push_back({c.first, c.count});
  CHECK(ranges[0].size() > 8);  // the dominant bin is spread over the ranks
  for (auto& [item, r] : ranges) {
    std::sort(r.begin(), r.end());
    int next = 0;
    for (auto [first, count] : r) {
      CHECK(first == next);
      CHECK(count >= 1);
      next += count;
    }
    CHECK(next == 1000);
  }
}
