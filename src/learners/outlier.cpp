// Leaf-sharing proximity outlier measure; see outlier.hpp.
//
// Work: one pass per (class, tree) over the class's members and the sources
// predicted as that class, counting members per leaf in a dense array that is
// cleared by walking the same members again: O(T (n_members + n_sources)).
#include "mwclass/learners/outlier.hpp"

#include <algorithm>
#include <cmath>

#include "mwclass/core/error.hpp"

namespace mwclass::learners {
namespace {

double score_of(double sum, double trees, double members) {
  const double q = trees > 0.0 && members > 0.0 ? sum / (trees * members) : 0.0;
  const double floor = 0.5 / (std::max(trees, 1.0) * std::max(members, 1.0));
  return -std::log10(std::max(q, floor));
}

void check_table(const LeafTable& t, const char* what) {
  if (t.leaf.size() != t.n_rows * t.n_trees)
    fail("proximity outlier: the {} leaf table has {} entries for {} rows x {} trees", what,
         t.leaf.size(), t.n_rows, t.n_trees);
  if (!t.out_of_bag.empty() && t.out_of_bag.size() != t.leaf.size())
    fail("proximity outlier: the {} out-of-bag table has {} entries, expected {}", what,
         t.out_of_bag.size(), t.leaf.size());
  for (std::int32_t l : t.leaf)
    if (l < 0) fail("proximity outlier: negative leaf index {} in the {} table", l, what);
}

}  // namespace

double fraction_at_least(const std::vector<double>& sorted, double score) {
  if (sorted.empty()) return 0.0;
  const auto at_least = sorted.end() - std::lower_bound(sorted.begin(), sorted.end(), score);
  return static_cast<double>(at_least) / static_cast<double>(sorted.size());
}

std::vector<OutlierScore> proximity_outlier_scores(const LeafTable& members,
                                                   const Labels& member_class,
                                                   const LeafTable& sources,
                                                   const std::vector<int>& best_class,
                                                   int n_classes) {
  check_table(members, "member");
  check_table(sources, "source");
  if (members.n_rows != member_class.size())
    fail("proximity outlier: {} member rows but {} member classes", members.n_rows, member_class.size());
  if (sources.n_rows != best_class.size())
    fail("proximity outlier: {} source rows but {} best classes", sources.n_rows, best_class.size());
  if (members.n_rows > 0 && sources.n_rows > 0 && members.n_trees != sources.n_trees)
    fail("proximity outlier: {} trees for the members but {} for the sources", members.n_trees,
         sources.n_trees);
  const std::size_t T = sources.n_rows > 0 ? sources.n_trees : members.n_trees;
  std::int32_t max_leaf = -1;
  for (std::int32_t l : members.leaf) max_leaf = std::max(max_leaf, l);
  for (std::int32_t l : sources.leaf) max_leaf = std::max(max_leaf, l);

  const auto C = static_cast<std::size_t>(n_classes);
  std::vector<std::vector<std::size_t>> member_rows(C), source_rows(C);
  for (std::size_t m = 0; m < members.n_rows; ++m) {
    const int c = member_class[m];
    if (c < 0 || c >= n_classes) fail("proximity outlier: member {} has class {} outside [0, {})", m, c, n_classes);
    member_rows[static_cast<std::size_t>(c)].push_back(m);
  }
  for (std::size_t s = 0; s < sources.n_rows; ++s) {
    const int c = best_class[s];
    if (c < 0 || c >= n_classes) fail("proximity outlier: source {} has class {} outside [0, {})", s, c, n_classes);
    source_rows[static_cast<std::size_t>(c)].push_back(s);
  }

  std::vector<OutlierScore> out(sources.n_rows);
  std::vector<std::uint32_t> count(static_cast<std::size_t>(max_leaf + 1), 0);
  for (std::size_t c = 0; c < C; ++c) {
    const auto& mem = member_rows[c];
    const auto& src = source_rows[c];
    if (src.empty()) continue;
    const double n_c = static_cast<double>(mem.size());
    std::vector<double> source_sum(src.size(), 0.0);
    std::vector<double> member_sum(mem.size(), 0.0), member_trees(mem.size(), 0.0);
    for (std::size_t t = 0; t < T; ++t) {
      for (std::size_t m : mem) ++count[static_cast<std::size_t>(members.at(m, t))];
      for (std::size_t k = 0; k < src.size(); ++k)
        source_sum[k] += count[static_cast<std::size_t>(sources.at(src[k], t))];
      for (std::size_t k = 0; k < mem.size(); ++k) {
        const std::size_t m = mem[k];
        if (!members.out_of_bag.empty() && !members.out_of_bag[m * members.n_trees + t]) continue;
        member_sum[k] += count[static_cast<std::size_t>(members.at(m, t))] - 1.0;
        member_trees[k] += 1.0;
      }
      for (std::size_t m : mem) count[static_cast<std::size_t>(members.at(m, t))] = 0;
    }
    std::vector<double> reference;
    reference.reserve(mem.size());
    for (std::size_t k = 0; k < mem.size(); ++k)
      if (member_trees[k] > 0.0 && mem.size() > 1)
        reference.push_back(score_of(member_sum[k], member_trees[k], n_c - 1.0));
    std::sort(reference.begin(), reference.end());
    for (std::size_t k = 0; k < src.size(); ++k) {
      OutlierScore& o = out[src[k]];
      o.best_class = static_cast<int>(c);
      o.score = score_of(source_sum[k], static_cast<double>(T), n_c);
      o.percentile = fraction_at_least(reference, o.score);
    }
  }
  return out;
}

}  // namespace mwclass::learners
