#pragma once
// Master X-ray table + local Gaia / 2MASS / AllWISE / CatWISE / unWISE tables ->
// counterpart magnitudes under the training set's names (Yang et al. 2022,
// Sect. 2.3). Stages:
//   read_counterpart_catalog   positions, PU_cat, carried values (VizieR names,
//                              optionally suffixed _<catalog>)
//   SkyIndex                   HEALPix (healpix_cxx) bins -> nearest and second nearest
//   combined_pu, match_flag    X_PU and the -8/-4/0/2 flag
//   crossmatch                 the output table (master columns + counterparts)
#include <memory>
#include <string>
#include <vector>

#include "mwclass/archive/aggregate.hpp"
#include "mwclass/archive/params.hpp"
#include "mwclass/archive/table.hpp"

namespace mwclass::archive {

// Great-circle separation in arcsec (Vincenty's formula: accurate at all angles).
double angular_separation_arcsec(double ra1_deg, double dec1_deg, double ra2_deg, double dec2_deg);

// Nearest and second-nearest catalog rows within a fixed radius.
class SkyIndex {
 public:
  SkyIndex(const std::vector<double>& ra_deg, const std::vector<double>& dec_deg,
           double radius_arcsec);
  ~SkyIndex();
  SkyIndex(SkyIndex&&) noexcept;
  struct Neighbours {
    long first = -1, second = -1;  // catalog rows, -1 if none within the radius
    double r1 = 0, r2 = 0;         // arcsec (NaN when absent)
  };
  Neighbours nearest_two(double ra_deg, double dec_deg) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// X_PU = sqrt(r0^2 + PU_cat^2 + (2 Plx/1000)^2 + (2 e_Plx/1000)^2 + (2 epsi/1000)^2),
// arcsec; NaN catalog or Gaia terms count as 0 (the authors' fillna(0)).
double combined_pu(double r0, double pu_cat, double plx, double e_plx, double epsi);

// -8, +4 if X_PU < r <= f X_PU, else +2 if r2 <= f X_PU, +8 if r <= X_PU:
// 0 clean, 2 close competitor, -4 only within f X_PU, -8 none. NaN r -> -8.
int match_flag(double r, double r2, double x_pu, double factor);

// unWISE flux (Vega nanomaggies) -> magnitude: zp - 2.5 log10 F - offset,
// sigma = 2.5/ln 10 * sigma_F / F; invalid for F <= 0 or NaN.
Moments unwise_magnitude(double flux, double e_flux, double zero_point, double offset);

struct CounterpartCatalog {
  std::string name;              // gaia, 2mass, allwise, catwise, unwise
  std::string path;
  std::vector<double> ra, dec;   // deg
  std::vector<double> pu;        // arcsec (2 sigma), NaN if unknown
  std::vector<std::string> value_names;        // carried columns (VizieR names)
  std::vector<std::vector<double>> values;     // values[k][row]
  std::vector<double> listed_r1, listed_r2;    // from a `_rs` candidate list (NaN if none)
  std::size_t rows_without_position = 0;
  int value(const std::string& name) const;    // index in value_names, -1 if absent
};

CounterpartCatalog read_counterpart_catalog(const std::string& name, const std::string& path,
                                            const CatalogColumns& columns);

// Adds to `xray` (a master table) for each catalog (given or not): sep_, X_PU_,
// cp_flag_ and the nearest candidate's values suffixed _<catalog>; then the
// training-set columns Gmag ... e_W3mag, Plx, e_Plx, PM, rgeo, b_rgeo, B_rgeo,
// W_catalog, filled from counterparts whose flag >= flag_threshold.
TextTable crossmatch(const ArchiveTable& xray, const std::vector<CounterpartCatalog>& catalogs,
                     const CrossmatchParams& p, Report& report);

}  // namespace mwclass::archive
