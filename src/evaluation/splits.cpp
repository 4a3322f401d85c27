#include "mwclass/evaluation/splits.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "mwclass/core/error.hpp"
#include "mwclass/core/rng.hpp"

namespace mwclass::evaluation {

namespace {
std::vector<std::vector<std::size_t>> members_by_class(const Labels& labels, int n_classes) {
  std::vector<std::vector<std::size_t>> m(static_cast<std::size_t>(n_classes));
  for (std::size_t i = 0; i < labels.size(); ++i) m[static_cast<std::size_t>(labels[i])].push_back(i);
  return m;
}

void shuffle(std::vector<std::size_t>& v, rng::Stream& s) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[s.below(i)]);
}
}  // namespace

Subset Subset::parse(const std::string& text) {
  Subset s;
  if (text.empty() || text == "all") return s;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const std::string value = colon == std::string::npos ? "" : text.substr(colon + 1);
  char* end = nullptr;
  if (kind == "every") {
    const long k = std::strtol(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || k < 1) fail("--subset every:K needs an integer K >= 1 (got '{}')", text);
    s.kind = Every;
    s.every = static_cast<std::size_t>(k);
  } else if (kind == "class-stratified") {
    const double f = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(f > 0 && f <= 1))
      fail("--subset class-stratified:FRACTION needs 0 < FRACTION <= 1 (got '{}')", text);
    s.kind = ClassStratified;
    s.fraction = f;
  } else {
    fail("--subset must be 'all', 'every:K' or 'class-stratified:FRACTION' (got '{}')", text);
  }
  return s;
}

std::vector<std::size_t> select_subset(const Labels& labels, int n_classes, const Subset& subset,
                                       std::uint64_t seed) {
  std::vector<std::size_t> rows;
  switch (subset.kind) {
    case Subset::All:
      for (std::size_t i = 0; i < labels.size(); ++i) rows.push_back(i);
      break;
    case Subset::Every:
      for (std::size_t i = 0; i < labels.size(); i += subset.every) rows.push_back(i);
      break;
    case Subset::ClassStratified: {
      auto members = members_by_class(labels, n_classes);
      for (std::size_t c = 0; c < members.size(); ++c) {
        auto& m = members[c];
        if (m.empty()) continue;
        rng::Stream s = rng::keys::loocv_subset(seed, c);
        shuffle(m, s);
        const auto take = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::llround(subset.fraction * static_cast<double>(m.size()))));
        rows.insert(rows.end(), m.begin(), m.begin() + static_cast<std::ptrdiff_t>(std::min(take, m.size())));
      }
      std::sort(rows.begin(), rows.end());
      break;
    }
  }
  return rows;
}

std::vector<int> stratified_folds(const Labels& labels, const std::vector<std::string>& class_names,
                                  int folds, std::uint64_t seed, int repeat) {
  if (folds < 2) fail("--folds must be >= 2 (got {})", folds);
  auto members = members_by_class(labels, static_cast<int>(class_names.size()));
  std::vector<int> fold(labels.size(), -1);
  std::size_t offset = 0;  // rotates so that small classes do not all start at fold 0
  for (std::size_t c = 0; c < members.size(); ++c) {
    auto& m = members[c];
    if (m.empty()) continue;
    if (m.size() < static_cast<std::size_t>(folds))
      fail("class '{}' has {} member(s), fewer than --folds {}: stratified folds need at least "
           "one member of every class per fold",
           class_names[c], m.size(), folds);
    rng::Stream s = rng::keys::cv_folds(seed, static_cast<std::uint64_t>(repeat), c);
    shuffle(m, s);
    for (std::size_t j = 0; j < m.size(); ++j)
      fold[m[j]] = static_cast<int>((j + offset) % static_cast<std::size_t>(folds));
    offset += m.size();
  }
  return fold;
}

std::vector<ensemble::WorkItem> loocv_items(const catalog::Catalog& training, const Config& config,
                                            const std::vector<std::size_t>& rows) {
  std::vector<ensemble::WorkItem> items;
  items.reserve(rows.size());
  for (std::size_t r : rows) {
    ensemble::WorkItem item;
    item.kind = ensemble::WorkKind::LeaveOneOut;
    item.id = r;
    item.rows = {r};
    item.held_out = {r};
    const double ebv = training.ebv[r];
    item.ebv = (config.reddening.enabled && !std::isnan(ebv)) ? ebv : 0.0;
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<ensemble::WorkItem> cv_items(const catalog::Catalog& training, const Config& config,
                                         int folds, int repeats) {
  std::vector<ensemble::WorkItem> items;
  for (int r = 0; r < repeats; ++r) {
    const auto fold = stratified_folds(training.labels, config.classifier.classes, folds, config.seed, r);
    for (int f = 0; f < folds; ++f) {
      ensemble::WorkItem item;
      item.kind = ensemble::WorkKind::Fold;
      item.id = static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(folds) + static_cast<std::uint64_t>(f);
      for (std::size_t i = 0; i < fold.size(); ++i)
        if (fold[i] == f) item.rows.push_back(i);
      item.held_out = item.rows;
      items.push_back(std::move(item));
    }
  }
  return items;
}

}  // namespace mwclass::evaluation
