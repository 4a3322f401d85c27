#include "mwclass/ensemble/assemble.hpp"

#include <algorithm>

#include "mwclass/core/bytes.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/statistics.hpp"

namespace mwclass::ensemble {

ClassificationResult assemble(const catalog::Catalog& field, std::vector<BinResult> bins,
                              const Config& config, const std::vector<std::string>& feature_names) {
  std::sort(bins.begin(), bins.end(),
            [](const BinResult& a, const BinResult& b) { return a.bin_id < b.bin_id; });
  const auto n = static_cast<Eigen::Index>(field.size());
  const auto C = static_cast<Eigen::Index>(config.classifier.classes.size());
  const auto P = static_cast<Eigen::Index>(feature_names.size());

  ClassificationResult out;
  out.class_names = config.classifier.classes;
  out.feature_names = feature_names;
  out.names = field.names;
  out.ra = field.ra;
  out.dec = field.dec;
  out.ebv = field.ebv;
  out.bin_id.assign(field.size(), -1);
  auto& st = out.probabilities;
  for (Matrix* m : {&st.mean, &st.std, &st.median, &st.q_lo, &st.q_hi}) m->setZero(n, C);
  out.importance_mean.resize(static_cast<Eigen::Index>(bins.size()), P);
  out.importance_std.resize(static_cast<Eigen::Index>(bins.size()), P);

  for (std::size_t b = 0; b < bins.size(); ++b) {
    const BinResult& r = bins[b];
    out.bins.push_back(r.bin_id);
    out.bin_ebv.push_back(r.ebv);
    out.bin_size.push_back(static_cast<int>(r.rows.size()));
    out.bin_iterations.push_back(r.iterations);
    for (Eigen::Index f = 0; f < P; ++f) {
      out.importance_mean(b, f) = r.importance_mean[f];
      out.importance_std(b, f) = r.importance_std[f];
    }
    const auto& ps = r.probabilities;
    for (std::size_t j = 0; j < r.rows.size(); ++j) {
      const auto row = static_cast<Eigen::Index>(r.rows[j]);
      if (out.bin_id[row] != -1) fail("internal error: source row {} classified twice", row);
      out.bin_id[row] = r.bin_id;
      st.mean.row(row) = ps.mean.row(j);
      st.std.row(row) = ps.std.row(j);
      st.median.row(row) = ps.median.row(j);
      st.q_lo.row(row) = ps.q_lo.row(j);
      st.q_hi.row(row) = ps.q_hi.row(j);
    }
  }
  out.decisions.resize(field.size());
  for (Eigen::Index i = 0; i < n; ++i) {
    if (out.bin_id[i] == -1) fail("internal error: source row {} was not classified", i);
    out.decisions[i] = decide(st.mean.row(i).data(), st.std.row(i).data(), static_cast<int>(C),
                              config.classifier.confidence_threshold);
  }
  return out;
}

void encode(ByteWriter& out, const BinResult& r) {
  out.put(r.bin_id);
  out.put(r.ebv);
  out.put(r.rows);
  out.put(r.iterations);
  const auto& p = r.probabilities;
  for (const Matrix* m : {&p.mean, &p.std, &p.median, &p.q_lo, &p.q_hi}) out.put(*m);
  out.put(r.importance_mean);
  out.put(r.importance_std);
  out.put(r.timing);
}

void decode(ByteReader& in, BinResult& r) {
  in.get(r.bin_id);
  in.get(r.ebv);
  in.get(r.rows);
  in.get(r.iterations);
  auto& p = r.probabilities;
  for (Matrix* m : {&p.mean, &p.std, &p.median, &p.q_lo, &p.q_hi}) in.get(*m);
  in.get(r.importance_mean);
  in.get(r.importance_std);
  in.get(r.timing);
}

}  // namespace mwclass::ensemble
