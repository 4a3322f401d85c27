// The tree builder: the growth loop and the feature sampling, dispatching each
// drawn feature to one of the split engines. The engines are header-only and
// all instantiated here, in one translation unit, so their loops inline.
//
// Which engine evaluates a feature at a node of m rows (they choose the same
// split; the choice is speed only):
//  * byte codes, narrow keys, m >= kHistogramMinRows: the node's features are
//    filled together in one pass over its rows — compact.hpp when
//    Encoded::compact, else histogram.hpp's batch — then scanned in draw order;
//  * narrow keys, m >= kHistogramMinRows and m >= the feature's codes: one
//    column into histogram.hpp's slot 0;
//  * otherwise the sort path (sorted_scan.hpp).
// A node's class counts come from its parent's split, and its rows are then
// stably partitioned in place, so a tree needs no allocation per node.
#include "tree_builder.hpp"

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "compact.hpp"
#include "histogram.hpp"
#include "partition.hpp"
#include "sorted_scan.hpp"
#include "split.hpp"

namespace mwclass::learners::forest {
namespace {

// Grows one tree; all buffers live as long as the builder. Code is the
// stored code type (uint8, uint16 or uint32), Layout the sort-key layout.
//
// Class counts are bootstrap counts, held as integers: the split scan keeps
// exact integer sums of squares, and the Gini proxy is then evaluated in
// double from those exact values with sklearn's expression.
template <typename Code, typename Layout>
class TreeBuilder {
  static constexpr bool kNarrow = std::is_same_v<Layout, NarrowKey>;
  static constexpr bool kByte = sizeof(Code) == 1;

 public:
  TreeBuilder(const Encoded& data, const ForestParams& params, int mtry)
      : data_(data), params_(params), mtry_(mtry), n_(data.n_rows), p_(data.n_features),
        c_(static_cast<std::size_t>(data.n_classes)), codes_(codes_of<Code>(data)), yw_(kNarrow ? n_ : 0),
        spill_(n_), slots_(histogram_slots(data, mtry)), use_compact_(kNarrow && kByte && data.compact),
        sorted_(n_, data.max_codes), histogram_(data, use_compact_ ? 0 : slots_),
        compact_(data, use_compact_ ? slots_ : 0), features_(p_), constant_(p_), is_constant_(p_),
        found_(p_), batch_(p_), scratch_(c_) {
    best_.left.resize(c_);
  }

  // `weight`: the tree's bootstrap counts; `stream` continues with the
  // feature draws. row_leaf[r] receives the leaf of every in-bag row r.
  Tree build(const std::vector<std::uint32_t>& weight, rng::Stream& stream, std::int32_t* row_leaf) {
    const std::uint32_t* w = weight.data();
    sample_ = {data_.y.data(), w, kNarrow ? yw_.data() : nullptr};
    Tree tree;
    tree.importances.assign(p_, 0.0);

    // The in-bag rows (without a branch: a third of the rows are out of bag)
    // and the root's class counts.
    rows_.resize(n_ + Compact<>::kPrefetch);
    std::size_t n_in_bag = 0;
    for (std::size_t r = 0; r < n_; ++r) {
      rows_[n_in_bag] = static_cast<std::uint32_t>(r);
      n_in_bag += w[r] > 0;
    }
    pool_.assign(c_, 0);
    for (std::size_t q = 0; q < n_in_bag; ++q) {
      const std::uint32_t r = rows_[q];
      pool_[static_cast<std::size_t>(data_.y[r])] += w[r];
      if constexpr (kNarrow) yw_[r] = class_count(w[r], data_.y[r]);
    }

    // Each pending node owns the last c_ entries of pool_ (its class counts),
    // pushed and popped in the same order as the stack. constant_[0, n_constant)
    // holds the features known to be constant in the node (sklearn's scheme:
    // a node's subtree only writes beyond it, so the right sibling, popped
    // after the left subtree, still finds its prefix intact).
    struct Pending {
      std::size_t start, end;
      int depth, parent;
      bool is_left;
      std::size_t n_constant;
    };
    std::vector<Pending> stack;
    std::vector<std::int64_t> node_counts(c_);
    // The compact fill reads Compact::kPrefetch rows ahead: valid indices past the end.
    std::fill(rows_.begin() + static_cast<std::ptrdiff_t>(n_in_bag), rows_.end(), 0u);
    stack.push_back({0, n_in_bag, 0, -1, false, 0});
    while (!stack.empty()) {
      const Pending node = stack.back();
      stack.pop_back();
      std::copy(pool_.end() - static_cast<std::ptrdiff_t>(c_), pool_.end(), node_counts.begin());
      pool_.resize(pool_.size() - c_);
      const int id = static_cast<int>(tree.nodes.size());
      tree.nodes.emplace_back();
      if (node.parent >= 0) {
        auto& parent = tree.nodes[static_cast<std::size_t>(node.parent)];
        (node.is_left ? parent.left : parent.right) = id;
      }
      tree.depth = std::max(tree.depth, node.depth);

      NodeCounts counts{node_counts.data(), c_, 0, 0};
      int classes_present = 0;
      for (std::int64_t count : node_counts) {
        counts.total += count;
        classes_present += count > 0;
      }
      const std::size_t m = node.end - node.start;
      bool leaf = (params_.max_depth > 0 && node.depth >= params_.max_depth) ||
                  m < static_cast<std::size_t>(params_.min_samples_split) ||
                  m < 2 * static_cast<std::size_t>(params_.min_samples_leaf) ||
                  classes_present <= 1;
      std::size_t n_found = 0;
      best_.split = Split{};
      if (!leaf) leaf = !find_split(node.start, node.end, counts, node.n_constant, stream, n_found);
      if (leaf) {
        tree.nodes[static_cast<std::size_t>(id)].value_offset = static_cast<int>(tree.leaf_values.size());
        const auto t = static_cast<double>(counts.total);
        for (std::int64_t count : node_counts) tree.leaf_values.push_back(static_cast<double>(count) / t);
        for (std::size_t q = node.start; q < node.end; ++q) row_leaf[rows_[q]] = id;
        continue;
      }
      // The features found constant here are constant in both children.
      std::copy(found_.begin(), found_.begin() + static_cast<std::ptrdiff_t>(n_found),
                constant_.begin() + static_cast<std::ptrdiff_t>(node.n_constant));
      const std::size_t n_constant = node.n_constant + n_found;

      const Split& split = best_.split;
      const std::size_t mid = partition(node.start, node.end, split);
      // best_.left holds the left child's class counts recorded by the scan.
      tree.importances[static_cast<std::size_t>(split.feature)] += impurity_decrease(counts, best_.left.data());
      auto& out = tree.nodes[static_cast<std::size_t>(id)];
      out.feature = split.feature;
      out.threshold = data_.threshold(split.feature, split.code_lo, split.code_hi);
      // Depth first, left child first: nodes come out in pre-order.
      stack.push_back({mid, node.end, node.depth + 1, id, false, n_constant});
      for (std::size_t k = 0; k < c_; ++k) pool_.push_back(node_counts[k] - best_.left[k]);
      stack.push_back({node.start, mid, node.depth + 1, id, true, n_constant});
      pool_.insert(pool_.end(), best_.left.begin(), best_.left.end());
    }
    return tree;
  }

 private:
  const Code* column(int f) const { return codes_ + static_cast<std::size_t>(f) * n_; }

  // Stable partition of rows_[start, end) by the split: rows keep ascending
  // order within each child, so later gathers walk memory forwards.
  std::size_t partition(std::size_t start, std::size_t end, const Split& split) {
    const Code* codes = column(split.feature);
    const std::uint32_t code_lo = split.code_lo;
    return partition_rows(rows_.data(), start, end, spill_.data(),
                          [codes, code_lo](std::uint32_t row) { return codes[row] <= code_lo; });
  }

  // sklearn's BestSplitter feature sampling: the features known to be
  // constant in this node are never drawn; the others are drawn without
  // replacement in random order until max_features non-constant ones have
  // been evaluated (newly found constant ones do not count and are passed to
  // the children through found_[0, n_found)). The best split goes to best_;
  // returns false when no feature admits a split leaving min_samples_leaf
  // rows on each side.
  bool find_split(std::size_t start, std::size_t end, NodeCounts& node, std::size_t n_constant,
                  rng::Stream& stream, std::size_t& n_found) {
    const std::size_t m = end - start;
    const auto min_leaf = static_cast<std::size_t>(params_.min_samples_leaf);
    node.sq = 0;  // every scan of the node starts from it (Sweep)
    for (std::size_t k = 0; k < c_; ++k) node.sq += node.counts[k] * node.counts[k];
    if (use_compact_) compact_.set_node(node);
    // Candidates: the non-constant features in index order, so the draw
    // depends only on the node's constant set.
    for (std::size_t i = 0; i < n_constant; ++i) is_constant_[static_cast<std::size_t>(constant_[i])] = 1;
    std::size_t n_candidates = 0;
    for (std::size_t f = 0; f < p_; ++f)
      if (!is_constant_[f]) features_[n_candidates++] = static_cast<int>(f);
    for (std::size_t i = 0; i < n_constant; ++i) is_constant_[static_cast<std::size_t>(constant_[i])] = 0;

    int visited = 0;
    const std::uint32_t* rows = rows_.data() + start;
    std::size_t i = 0;
    while (i < n_candidates && visited < mtry_) {
      // Byte codes: features are drawn one at a time as above until the ones
      // still needed are found, a feature constant in the node (an early-exit
      // pass over its column) set aside without a histogram; the others'
      // class histograms are then filled in one pass over the node's rows
      // (row-major codes) and scanned in draw order.
      if constexpr (kNarrow && kByte) {
        if (m >= kHistogramMinRows) {
          const auto needed = static_cast<std::size_t>(mtry_ - visited);
          std::size_t batch = 0;
          while (batch < needed && i < n_candidates) {
            std::swap(features_[i], features_[i + static_cast<std::size_t>(stream.below(n_candidates - i))]);
            const int f = features_[i++];
            if (constant_in_node(rows, m, column(f)))
              found_[n_found++] = f;  // constant here and in all descendants
            else
              batch_[batch++] = f;
          }
          if (use_compact_)
            compact_.fill(rows, m, batch_.data(), batch, yw_.data());
          else
            histogram_.fill_batch(rows, m, batch_.data(), batch, yw_.data());
          for (std::size_t b = 0; b < batch; ++b) {
            if (use_compact_ ? compact_.scan(b, batch_[b], node, scratch_, best_)
                             : histogram_.scan(b, m, min_leaf, batch_[b], node, scratch_, best_))
              ++visited;
            else
              found_[n_found++] = batch_[b];
          }
          continue;
        }
      }
      const std::size_t j = i + static_cast<std::size_t>(stream.below(n_candidates - i));
      std::swap(features_[i], features_[j]);
      const int f = features_[i++];
      const Code* codes = column(f);

      // As many rows as the feature has codes: its class histogram replaces
      // the gather, sort and per-row scan.
      bool evaluated;
      if constexpr (kNarrow) {
        if (slots_ > 0 && m >= kHistogramMinRows && m >= data_.n_codes(f)) {
          histogram_.fill(rows, m, codes, yw_.data());
          evaluated = histogram_.scan(0, m, min_leaf, f, node, scratch_, best_);
        } else {
          evaluated = sorted_.scan(rows, m, codes, f, sample_, min_leaf, node, scratch_, best_);
        }
      } else {
        evaluated = sorted_.scan(rows, m, codes, f, sample_, min_leaf, node, scratch_, best_);
      }
      if (evaluated)
        ++visited;
      else
        found_[n_found++] = f;  // constant here and in all descendants
    }
    return best_.split.feature >= 0;
  }

  // Whether the node's rows all have one code in `codes` (a column).
  static bool constant_in_node(const std::uint32_t* rows, std::size_t m, const Code* codes) {
    const Code first = codes[rows[0]];
    for (std::size_t q = 1; q < m; ++q)
      if (codes[rows[q]] != first) return false;
    return true;
  }

  // Histogram slots: one per feature filled at once (byte codes: up to mtry);
  // for wider codes one, and none with more than 16 classes (the table would
  // be max_codes x classes entries for a rarely taken path).
  static std::size_t histogram_slots(const Encoded& data, int mtry) {
    if (!kNarrow) return 0;
    if (data.byte()) return static_cast<std::size_t>(mtry);
    return data.n_classes <= 16 ? 1 : 0;
  }

  // Nodes below this many rows take the sort path (docs/performance.md).
  static constexpr std::size_t kHistogramMinRows = 4;

  const Encoded& data_;
  const ForestParams& params_;
  const int mtry_;
  const std::size_t n_, p_, c_;
  const Code* codes_;
  Sample sample_;
  std::vector<std::uint16_t> yw_;      // narrow: class_count per row
  std::vector<std::uint32_t> rows_;    // rows present in the tree, grouped by node
  std::vector<std::uint32_t> spill_;   // partition: right-hand rows
  const std::size_t slots_;            // histogram paths: features filled at once
  const bool use_compact_;             // the compact layout applies (Encoded::compact)
  SortedScan<Code, Layout> sorted_;
  Histogram<Code> histogram_;
  Compact<> compact_;
  std::vector<int> features_;          // candidate features of the node, drawn in place
  std::vector<int> constant_;          // known-constant features along the current path
  std::vector<char> is_constant_;
  std::vector<int> found_;             // features found constant in the current node
  std::vector<int> batch_;             // byte codes: features filled together
  std::vector<std::int64_t> pool_;     // class counts of the pending nodes
  SweepScratch scratch_;
  BestSplit best_;                     // the current node's best split
};

// The builders of one code type, made on first use; a tree uses the narrow
// key layout when its bootstrap counts and the data allow.
template <typename Code>
struct Builders {
  std::unique_ptr<TreeBuilder<Code, NarrowKey>> narrow;
  std::unique_ptr<TreeBuilder<Code, WideKey>> wide;

  Tree build(const Encoded& data, const ForestParams& params, int mtry, bool narrow_keys,
             const std::vector<std::uint32_t>& weight, rng::Stream& stream, std::int32_t* row_leaf) {
    if constexpr (sizeof(Code) <= 2) {
      if (narrow_keys) {
        if (!narrow) narrow = std::make_unique<TreeBuilder<Code, NarrowKey>>(data, params, mtry);
        return narrow->build(weight, stream, row_leaf);
      }
    }
    if (!wide) wide = std::make_unique<TreeBuilder<Code, WideKey>>(data, params, mtry);
    return wide->build(weight, stream, row_leaf);
  }
};

}  // namespace

struct TreeBuilders::Impl {
  const Encoded& data;
  const ForestParams& params;
  const int mtry;
  Builders<std::uint8_t> b8;
  Builders<std::uint16_t> b16;
  Builders<std::uint32_t> b32;
};

TreeBuilders::TreeBuilders(const Encoded& data, const ForestParams& params, int mtry)
    : impl_(new Impl{data, params, mtry, {}, {}, {}}) {}

TreeBuilders::~TreeBuilders() = default;

Tree TreeBuilders::build(std::uint64_t key, const Bootstrap& bootstrap, std::vector<std::uint32_t>& weight,
                         std::int32_t* row_leaf) {
  const Encoded& data = impl_->data;
  rng::Stream stream(key);
  bootstrap.draw(stream, weight);
  const std::uint32_t max_count = *std::max_element(weight.begin(), weight.end());
  const bool narrow_keys = max_count < 256 && data.n_classes <= 256;
  Impl& b = *impl_;
  if (data.byte()) return b.b8.build(data, b.params, b.mtry, narrow_keys, weight, stream, row_leaf);
  if (data.narrow()) return b.b16.build(data, b.params, b.mtry, narrow_keys, weight, stream, row_leaf);
  return b.b32.build(data, b.params, b.mtry, false, weight, stream, row_leaf);
}

}  // namespace mwclass::learners::forest
