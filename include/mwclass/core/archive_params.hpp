#pragma once
// The parameters of the archive stage (docs/archive.md), as plain configuration
// sections of mwclass::Config: [aggregate] and [selection] (`mwclass aggregate`:
// CSC per-detection table -> master-level features) and [crossmatch] with one
// [crossmatch.<catalog>] table per counterpart catalog (`mwclass crossmatch`).
// Defaults are the MUWCLASS 2022 choices (Yang et al. 2022). They live in core
// so that the configuration holds them without including the archive module;
// archive/params.hpp names them for the archive code. Ranges, units and
// descriptions of each key: core/config_keys.hpp.
#include <map>
#include <string>
#include <vector>

namespace mwclass {

struct AggregateParams {
  // Per-detection cuts (Yang et al. 2022, Sect. 2.2 and footnote 12).
  std::vector<std::string> drop_instruments{"HRC"};
  double max_theta = 10.0;             // arcmin
  double max_pileup_warning = 0.3;     // counts/frame/pixel
  bool drop_saturated = true;          // per-observation sat_src_flag
  bool drop_streak = true;             // per-observation streak_src_flag
  bool drop_shared_detections = true;  // a (obsid, region_id, obi) claimed by >1 name
  bool collapse_duplicates = true;     // one detection listed once per stack counts once
  // A band without any usable detection: the Fechner moments of
  // (mode 0, lower limit 0, upper limit null_flux_upper) (Sect. 2.2).
  double null_flux_upper = 1e-17;      // erg/s/cm^2
  int p_inter_decimals = 3;
  // Column names of the CSC per-detection join (CSC 2.0 CLI).
  std::string name_column = "name";
  std::string ra_column = "ra";
  std::string dec_column = "dec";
  std::string pu_column = "err_ellipse_r0";
  std::string significance_column = "significance";
  std::string flux_prefix = "flux_aper90_";
  std::vector<std::string> bands{"s", "m", "h"};
  std::string variability_column = "kp_prob_b";
  std::string nh_column = "nh_gal";
  std::string gamma_column = "powlaw_gamma";
  // XMM-Newton (4XMM) input: band fluxes converted to the CSC bands for a power law.
  bool xmm = false;
  double xmm_photon_index = 2.0;
  std::string xmm_name_column = "IAUNAME";
  std::string xmm_ra_column = "SC_RA";
  std::string xmm_dec_column = "SC_DEC";
  std::string xmm_pu_column = "SC_POSERR";
  double xmm_pu_scale = 2.45;
  std::string xmm_flux_prefix = "EP_";
  std::string xmm_significance_column = "SC_DET_ML";
  std::string xmm_variability_column = "";
};

struct SelectionParams {
  bool drop_saturated = true;        // master sat_src_flag
  bool drop_streak = true;           // master streak_src_flag
  // Optional cuts of the paper's "good CSC sample" (Sect. 5): 66,369 sources.
  double min_significance = 0;       // > 0 enables
  double max_pu = 0;                 // arcsec; > 0 enables
  bool drop_conf_flag = false;
  bool drop_extent_flag = false;
};

// One counterpart catalog: where its columns are and how its positional
// uncertainty is formed (Yang et al. 2022, the 2-sigma PU rule).
struct CatalogColumns {
  std::string ra, dec;                  // deg
  std::vector<std::string> pu_columns;  // PU_cat = pu_scale * max(these)
  double pu_scale = 1;                  // -> arcsec, 2 sigma
  std::vector<std::string> values;      // carried to the output
};

struct CrossmatchParams {
  double search_radius = 10.0;       // arcsec
  double pu_factor = 1.5;
  int flag_threshold = 0;
  bool gaia_terms = true;
  double unwise_zero_point = 22.5;   // Schlafly et al. (2019)
  double unwise_w1_offset = 0.004;   // mag (authors' value)
  double unwise_w2_offset = 0.032;   // mag (authors' value)
  std::string xray_name = "CSCv2_name";
  std::string xray_ra = "CSCv2_RA";
  std::string xray_dec = "CSCv2_DEC";
  std::string xray_pu = "CSCv2_PU";
  std::string label_name_column = "CSCv2_name";
  std::string label_column = "True_Class";
  // gaia, 2mass, allwise, catwise, unwise ([crossmatch.<catalog>]; a config
  // overrides keys of these entries, it cannot add a catalog).
  std::map<std::string, CatalogColumns> catalogs = default_catalogs();
  static std::map<std::string, CatalogColumns> default_catalogs();  // src/core/config.cpp
};

}  // namespace mwclass
