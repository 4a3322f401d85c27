#include "mwclass/ensemble/assemble.hpp"

#include <algorithm>

#include "mwclass/core/bytes.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/statistics.hpp"

namespace mwclass::ensemble {

namespace {

void sort_by_id(std::vector<WorkResult>& results) {
  std::sort(results.begin(), results.end(),
            [](const WorkResult& a, const WorkResult& b) { return a.id < b.id; });
}

// The per-item table: ids, E(B-V), sizes, iterations, importances.
void fill_item_table(ClassificationResult& out, const std::vector<WorkResult>& sorted,
                     Eigen::Index n_features) {
  out.importance_mean.resize(static_cast<Eigen::Index>(sorted.size()), n_features);
  out.importance_std.resize(static_cast<Eigen::Index>(sorted.size()), n_features);
  for (std::size_t b = 0; b < sorted.size(); ++b) {
    const WorkResult& r = sorted[b];
    out.items.push_back(r.id);
    out.item_ebv.push_back(r.ebv);
    out.item_size.push_back(static_cast<int>(r.rows.size()));
    out.item_iterations.push_back(r.iterations);
    for (Eigen::Index f = 0; f < n_features; ++f) {
      out.importance_mean(static_cast<Eigen::Index>(b), f) = r.importance_mean[static_cast<std::size_t>(f)];
      out.importance_std(static_cast<Eigen::Index>(b), f) = r.importance_std[static_cast<std::size_t>(f)];
    }
  }
}

}  // namespace

ClassificationResult assemble_items(std::vector<WorkResult> results,
                                    const std::vector<std::string>& feature_names) {
  sort_by_id(results);
  ClassificationResult out;
  out.feature_names = feature_names;
  fill_item_table(out, results, static_cast<Eigen::Index>(feature_names.size()));
  return out;
}

ClassificationResult assemble(const catalog::Catalog& field, std::vector<WorkResult> bins,
                              const Config& config, const std::vector<std::string>& feature_names) {
  sort_by_id(bins);
  const auto n = static_cast<Eigen::Index>(field.size());
  const auto C = static_cast<Eigen::Index>(config.classifier.classes.size());

  ClassificationResult out;
  out.class_names = config.classifier.classes;
  out.feature_names = feature_names;
  out.names = field.names;
  out.ra = field.ra;
  out.dec = field.dec;
  out.ebv = field.ebv;
  out.item_of_source.assign(field.size(), -1);
  auto& st = out.probabilities;
  for (Matrix* m : {&st.mean, &st.std, &st.median, &st.q_lo, &st.q_hi}) m->setZero(n, C);
  fill_item_table(out, bins, static_cast<Eigen::Index>(feature_names.size()));

  for (const WorkResult& r : bins) {
    const auto& ps = r.probabilities;
    for (std::size_t j = 0; j < r.rows.size(); ++j) {
      const auto row = static_cast<Eigen::Index>(r.rows[j]);
      const auto jj = static_cast<Eigen::Index>(j);
      if (out.item_of_source[static_cast<std::size_t>(row)] != -1)
        fail("internal error: source row {} classified twice", row);
      out.item_of_source[static_cast<std::size_t>(row)] = r.id;
      st.mean.row(row) = ps.mean.row(jj);
      st.std.row(row) = ps.std.row(jj);
      st.median.row(row) = ps.median.row(jj);
      st.q_lo.row(row) = ps.q_lo.row(jj);
      st.q_hi.row(row) = ps.q_hi.row(jj);
    }
  }
  // Per-iteration probabilities, when every item kept them with the same count.
  const bool kept = !bins.empty() && std::all_of(bins.begin(), bins.end(), [&](const WorkResult& r) {
    return !r.per_iteration.empty() && r.iterations == bins.front().iterations;
  });
  if (kept) {
    const std::size_t stride = static_cast<std::size_t>(bins.front().iterations) * C;
    out.kept_iterations = bins.front().iterations;
    out.per_iteration.assign(field.size() * stride, 0.0);
    for (const auto& r : bins)
      for (std::size_t j = 0; j < r.rows.size(); ++j)
        std::copy_n(r.per_iteration.begin() + static_cast<std::ptrdiff_t>(j * stride), stride,
                    out.per_iteration.begin() + static_cast<std::ptrdiff_t>(r.rows[j] * stride));
  }
  // Outlier measure (every item has it; every model since format 3 items).
  if (!bins.empty() && std::all_of(bins.begin(), bins.end(),
                                   [](const WorkResult& r) { return !r.outlier_score.empty(); })) {
    out.outlier_score.assign(field.size(), 0.0);
    out.outlier_percentile.assign(field.size(), 0.0);
    out.outlier.assign(field.size(), 0);
    for (const auto& r : bins)
      for (std::size_t j = 0; j < r.rows.size(); ++j) {
        out.outlier_score[r.rows[j]] = r.outlier_score[j];
        out.outlier_percentile[r.rows[j]] = r.outlier_percentile[j];
        out.outlier[r.rows[j]] = r.outlier_percentile[j] < config.classifier.outlier_percentile;
      }
  }
  // The uncertainty split (every item has it, or none).
  if (!bins.empty() && std::all_of(bins.begin(), bins.end(),
                                   [](const WorkResult& r) { return r.e_P_meas.size() > 0; })) {
    out.e_P_meas.setZero(n, C);
    out.e_P_model.setZero(n, C);
    for (const auto& r : bins)
      for (std::size_t j = 0; j < r.rows.size(); ++j) {
        out.e_P_meas.row(static_cast<Eigen::Index>(r.rows[j])) = r.e_P_meas.row(static_cast<Eigen::Index>(j));
        out.e_P_model.row(static_cast<Eigen::Index>(r.rows[j])) = r.e_P_model.row(static_cast<Eigen::Index>(j));
      }
  }
  // Naive Bayes probability tracks (every item has one, with the same steps).
  const bool tracked = !bins.empty() && std::all_of(bins.begin(), bins.end(), [&](const WorkResult& r) {
    return !r.track.empty() && r.track.steps == bins.front().track.steps;
  });
  if (tracked) {
    out.track.steps = bins.front().track.steps;
    const std::size_t stride = out.track.steps.size() * C;
    out.track.values.assign(field.size() * stride, 0.0);
    for (const auto& r : bins)
      for (std::size_t j = 0; j < r.rows.size(); ++j)
        std::copy_n(r.track.values.begin() + static_cast<std::ptrdiff_t>(j * stride), stride,
                    out.track.values.begin() + static_cast<std::ptrdiff_t>(r.rows[j] * stride));
  }
  out.decisions.resize(field.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    if (out.item_of_source[i] == -1) fail("internal error: source row {} was not classified", i);
    out.decisions[i] = decide(st.mean.row(i).data(), st.std.row(i).data(), static_cast<int>(C),
                              config.classifier.confidence_threshold);
  }
  return out;
}

void encode(ByteWriter& out, const WorkResult& r) { encode_fields(out, r); }

void decode(ByteReader& in, WorkResult& r, int format) {
  in.set_format(format);
  decode_fields(in, r);
}

}  // namespace mwclass::ensemble
