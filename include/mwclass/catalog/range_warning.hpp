#pragma once
// Field values that are possible but suspicious: an X-ray flux or a magnitude far
// outside the range the training set covers (a unit error, another band, a typo).
// The learner extrapolates there without saying so, so the user is told, once per
// column: the file, the column, how many values and the first line (or FITS row).
// The margins are [columns] range_warning_dex (fluxes, log10) and range_warning_mag.
#include <cstddef>
#include <string>
#include <vector>

#include "mwclass/catalog/catalog.hpp"
#include "mwclass/core/config.hpp"

namespace mwclass::catalog {

struct RangeWarning {
  std::string column;
  std::size_t count = 0;       // field values beyond the margin
  std::size_t first_line = 0;  // file line (CSV) or table row (FITS) of the first one
  double training_min = 0, training_max = 0;
  double margin = 0;
  bool log10 = false;          // the margin is in dex (fluxes) rather than mag
  std::string text(const Catalog& field) const;  // the one warning line
};

// One entry per column with values beyond the margin; columns the training set
// never measures are skipped (no range to compare with).
std::vector<RangeWarning> far_outside_training_range(const Catalog& training, const Catalog& field,
                                                     const Config& config);

// The warnings above, one line each on stderr.
void warn_far_outside_training_range(const Catalog& training, const Catalog& field, const Config& config);

}  // namespace mwclass::catalog
