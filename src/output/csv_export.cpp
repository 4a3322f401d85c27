#include "mwclass/output/csv_export.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "mwclass/catalog/csv.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/output/hdf5_results.hpp"

namespace mwclass::output {

void export_csv(const ensemble::ClassificationResult& result, const std::string& csv_path) {
  if (csv_path.empty()) fail("cannot export CSV: empty file name");
  try {
    validate_result(result);
  } catch (const Error& e) {
    fail("cannot export CSV '{}': {}", csv_path, e.what());
  }
  using catalog::format_number;
  const std::size_t n = result.names.size();
  const std::size_t n_classes = result.class_names.size();

  std::vector<std::string> header{"name"};
  for (const auto& c : result.class_names) header.push_back("P_" + c);
  for (const auto& c : result.class_names) header.push_back("e_P_" + c);
  for (const char* column : {"Class", "Class_prob", "e_Class_prob", "CT", "confident", "margin"})
    header.emplace_back(column);
  // The outlier measure, when the result has it (learners/outlier.hpp).
  const bool outlier = !result.outlier_score.empty();
  if (outlier)
    for (const char* column : {"outlier_score", "outlier_percentile", "outlier"}) header.emplace_back(column);

  const auto& mean = result.probabilities.mean;
  const auto& spread = result.probabilities.std;
  std::vector<std::vector<std::string>> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& d = result.decisions[i];
    const auto r = static_cast<Eigen::Index>(i);
    auto& row = rows[i];
    row.reserve(header.size());
    row.push_back(result.names[i]);
    for (std::size_t c = 0; c < n_classes; ++c)
      row.push_back(format_number(mean(r, static_cast<Eigen::Index>(c))));
    for (std::size_t c = 0; c < n_classes; ++c)
      row.push_back(format_number(spread(r, static_cast<Eigen::Index>(c))));
    row.push_back(d.predicted_class >= 0 ? result.class_names[d.predicted_class] : "");
    row.push_back(format_number(d.class_prob));
    row.push_back(format_number(d.e_class_prob));
    row.push_back(format_number(d.confidence_threshold));
    row.push_back(d.confident ? "1" : "0");
    row.push_back(format_number(d.margin));
    if (outlier) {
      row.push_back(format_number(result.outlier_score[i]));
      row.push_back(format_number(result.outlier_percentile[i]));
      row.push_back(result.outlier[i] ? "1" : "0");
    }
  }

  const std::string temporary = fmt::format("{}.tmp-{}", csv_path, static_cast<long>(::getpid()));
  try {
    catalog::write_csv(temporary, header, rows);
    const int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
    if (std::rename(temporary.c_str(), csv_path.c_str()) != 0)
      fail("cannot rename '{}' to it: {}", temporary, std::strerror(errno));
  } catch (const Error& e) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    fail("cannot export CSV '{}': {}", csv_path, e.what());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

}  // namespace mwclass::output
