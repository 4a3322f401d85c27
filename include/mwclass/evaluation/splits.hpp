#pragma once
// How the training set is cut for evaluation: which sources a leave-one-out
// run covers, and the stratified folds of k-fold cross-validation. Both are
// deterministic functions of the labels and the seed, so every rank computes
// the same work items.
#include <cstdint>
#include <string>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/ensemble/work.hpp"

namespace mwclass::evaluation {

// "all", "every:K" (rows 0, K, 2K, ...) or "class-stratified:FRACTION" (that
// fraction of every class, at least one source, drawn with the seed).
struct Subset {
  enum Kind { All, Every, ClassStratified } kind = All;
  std::size_t every = 1;
  double fraction = 1.0;
  static Subset parse(const std::string& text);  // Error naming --subset on bad text
};

std::vector<std::size_t> select_subset(const Labels& labels, int n_classes, const Subset& subset,
                                       std::uint64_t seed);

// Fold (0..folds-1) of every row: each class is shuffled with the repeat's
// stream and dealt round-robin, so every fold holds floor or ceil of
// count/folds members of each class. A class smaller than `folds` is an Error.
std::vector<int> stratified_folds(const Labels& labels, const std::vector<std::string>& class_names,
                                  int folds, std::uint64_t seed, int repeat);

// One item per selected source: train without it, classify it. The training
// AGN are reddened to the source's own E(B-V) when reddening is on and the
// catalog has E(B-V) values.
std::vector<ensemble::WorkItem> loocv_items(const catalog::Catalog& training, const Config& config,
                                            const std::vector<std::size_t>& rows);

// folds x repeats items: item id = repeat x folds + fold. No reddening (the
// fold mixes E(B-V) values).
std::vector<ensemble::WorkItem> cv_items(const catalog::Catalog& training, const Config& config,
                                         int folds, int repeats);

}  // namespace mwclass::evaluation
