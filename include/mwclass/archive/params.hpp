#pragma once
// Parameters of the archive stage (issue 15): from the CSC per-detection table to
// master-level features (`[aggregate]`, `[selection]`) and to Gaia / 2MASS / WISE
// counterparts (`[crossmatch]`). Every threshold and column name has one home here,
// with its default (the MUWCLASS 2022 choice), unit and meaning. The reader below
// takes these three sections from a TOML file; the lead folds them into the central
// config later (core/config is being rewritten in parallel).
#include <map>
#include <string>
#include <vector>

namespace mwclass::archive {

struct AggregateParams {
  // Per-detection cuts (Yang et al. 2022, Sect. 2.2 and footnote 12).
  std::vector<std::string> drop_instruments{"HRC"};  // detections from these instruments are dropped
  double max_theta = 10.0;             // arcmin; off-axis angle above this drops a detection
  double max_pileup_warning = 0.3;     // counts/frame/pixel; above this drops a detection
  bool drop_saturated = true;          // per-observation sat_src_flag set drops a detection
  bool drop_streak = true;             // per-observation streak_src_flag set drops a detection
  bool drop_shared_detections = true;  // a (obsid, region_id, obi) claimed by >1 name is dropped
  bool collapse_duplicates = true;     // one detection listed once per stack counts once
  // Replacement of a band without any usable detection: the Fechner moments of
  // (mode 0, lower limit 0, upper limit null_flux_upper) (Sect. 2.2).
  double null_flux_upper = 1e-17;      // erg/s/cm^2
  int p_inter_decimals = 3;            // P_inter is rounded like the authors' table
  // Column names of the CSC per-detection join (CSC 2.0 CLI).
  std::string name_column = "name";
  std::string ra_column = "ra";                  // sexagesimal hours or degrees
  std::string dec_column = "dec";                // sexagesimal degrees or degrees
  std::string pu_column = "err_ellipse_r0";      // arcsec, 95 % major radius
  std::string significance_column = "significance";
  std::string flux_prefix = "flux_aper90_";      // <prefix><band>, <prefix>lolim_<band>, <prefix>hilim_<band>
  std::vector<std::string> bands{"s", "m", "h"}; // soft, medium, hard (flux_flag bits 1, 2, 4)
  std::string variability_column = "kp_prob_b";  // per-detection Kuiper probability -> P_intra
  std::string nh_column = "nh_gal";              // 1e20 cm^-2, copied
  std::string gamma_column = "powlaw_gamma";     // master power-law index (with _lolim/_hilim)
  // XMM-Newton (4XMM) input: band fluxes converted to the CSC bands for a power law.
  bool xmm = false;                              // the input is a 4XMM per-detection table
  double xmm_photon_index = 2.0;                 // Gamma of the power law F_E ~ E^(1-Gamma)
  std::string xmm_name_column = "IAUNAME";
  std::string xmm_ra_column = "SC_RA";           // deg
  std::string xmm_dec_column = "SC_DEC";         // deg
  std::string xmm_pu_column = "SC_POSERR";       // arcsec (1 sigma; x 2.45 -> 95 %)
  double xmm_pu_scale = 2.45;                    // 1-sigma radial error -> 95 % radius
  std::string xmm_flux_prefix = "EP_";           // EP_<n>_FLUX, EP_<n>_FLUX_ERR, n = 2..5
  std::string xmm_significance_column = "SC_DET_ML";
  std::string xmm_variability_column = "";       // none in 4XMM per detection; "" = P_intra missing
};

struct SelectionParams {
  bool drop_saturated = true;        // master sat_src_flag set -> source dropped
  bool drop_streak = true;           // master streak_src_flag set -> source dropped
  // Optional cuts of the paper's "good CSC sample" (Sect. 5): 66,369 sources.
  double min_significance = 0;       // S/N; > 0 enables "significance > this"
  double max_pu = 0;                 // arcsec; > 0 enables "err_ellipse_r0 < this"
  bool drop_conf_flag = false;       // conf_flag set -> source dropped
  bool drop_extent_flag = false;     // extent_flag set -> source dropped
};

// One counterpart catalog: where its columns are and how its positional
// uncertainty is formed (Yang et al. 2022, the 2-sigma PU rule).
struct CatalogColumns {
  std::string ra, dec;                  // deg
  std::vector<std::string> pu_columns;  // PU_cat = pu_scale * max(these)
  double pu_scale = 1;                  // -> arcsec, 2 sigma
  std::vector<std::string> values;      // carried to the output (magnitudes, fluxes, ...)
};

struct CrossmatchParams {
  double search_radius = 10.0;   // arcsec; candidates beyond this are not considered
  double pu_factor = 1.5;        // a counterpart within pu_factor x X_PU is kept (flag -4, 2, 0)
  int flag_threshold = 0;        // a counterpart is used when its match flag >= this
  bool gaia_terms = true;        // add Plx, e_Plx, epsi of the Gaia candidate to X_PU
  double unwise_zero_point = 22.5;   // Vega mag of 1 nanomaggie-scaled flux unit (Schlafly+ 2019)
  double unwise_w1_offset = 0.004;   // mag, subtracted from W1 (authors' value)
  double unwise_w2_offset = 0.032;   // mag, subtracted from W2 (authors' value)
  std::string xray_name = "CSCv2_name";
  std::string xray_ra = "CSCv2_RA";     // deg
  std::string xray_dec = "CSCv2_DEC";   // deg
  std::string xray_pu = "CSCv2_PU";     // arcsec, 95 %
  std::string label_name_column = "CSCv2_name";  // --labels: join key in the label file
  std::string label_column = "True_Class";       // --labels: the column carried over
  std::map<std::string, CatalogColumns> catalogs = default_catalogs();
  static std::map<std::string, CatalogColumns> default_catalogs();
};

struct ArchiveParams {
  AggregateParams aggregate;
  SelectionParams selection;
  CrossmatchParams crossmatch;
};

// Reads [aggregate], [selection] and [crossmatch] (with [crossmatch.<catalog>])
// from a TOML file; other sections are left to their own readers. An unknown
// key in these sections, or a value of the wrong type, is an Error naming the
// file and the key. "" gives the defaults.
ArchiveParams read_archive_params(const std::string& path);

}  // namespace mwclass::archive
