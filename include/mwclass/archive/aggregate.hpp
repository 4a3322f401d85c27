#pragma once
// CSC per-detection table -> one row of master-level MUWCLASS features per
// source (Yang et al. 2022, Sect. 2.2). The stages, in pipeline order:
//   read_csc_detections / read_xmm_detections  typed detections + master info
//   apply_detection_cuts                        instrument, theta, flags, pileup,
//                                               shared and duplicate detections
//   combine_detections                          Fechner moments -> inverse-variance
//                                               means, null bands, Fb, P_intra, P_inter
//   select_sources                              master flags, optional good-sample cuts
//   master_table                                training-set column names
// Each stage appends what it dropped and why to a Report.
#include <string>
#include <utility>
#include <vector>

#include "mwclass/archive/params.hpp"
#include "mwclass/archive/table.hpp"

namespace mwclass::archive {

// Mean and 1-sigma of a flux (NaN, NaN when unavailable).
struct Moments {
  double mean;
  double sigma;
  bool valid() const;
};

// Split-normal (Fechner) distribution with mode F and 68 % limits lo, hi
// (Possolo et al. 2019): s+ = hi - F, s- = F - lo,
// mean = F + sqrt(2/pi) (s+ - s-), var = (1 - 2/pi)(s+ - s-)^2 + s+ s-.
// NaN if any input is NaN.
Moments fechner_moments(double mode, double lo, double hi);

// Inverse-variance weighted mean of the valid entries, sigma = sqrt(1/sum w);
// one valid entry -> itself; none -> invalid.
Moments inverse_variance_mean(const std::vector<Moments>& values);

// The moments that replace a band without a measurement: mode 0, lo 0, hi upper.
Moments null_band_moments(double upper);

// Sum of three bands, sigma in quadrature (invalid if any band is).
Moments broad_band(const Moments& s, const Moments& m, const Moments& h);

// Chi-square of a constant fitted to the valid values: sum (x_i - xbar)^2 / s_i^2
// with xbar their inverse-variance mean. `dof` = N - 1.
double constant_chi2(const std::vector<Moments>& values, int& dof);

// Chi-square CDF, P(dof/2, chi2/2) (regularized lower incomplete gamma, Boost.Math).
double chi2_cdf(double chi2, int dof);

// Rounds like numpy.round: rint(x * 10^d) / 10^d.
double round_decimals(double x, int decimals);

// XMM-Newton 4XMM bands -> CSC bands for a power law of photon index gamma
// (F_E ~ E^(1-gamma)): the flux in E1-E2 is proportional to
// (E2^(2-gamma) - E1^(2-gamma)) / (2-gamma), ln(E2/E1) at gamma = 2.
double power_law_band_flux(double e1_kev, double e2_kev, double gamma);
struct XmmBands {
  Moments ep2, ep3, ep4, ep5;  // 0.5-1, 1-2, 2-4.5, 4.5-12 keV (flux, 1-sigma)
};
// s (0.5-1.2) from 0.5-1.0, m (1.2-2) from 1.0-2.0, h (2-7) = 2-4.5 plus the
// 4.5-7 part of 4.5-12; sigmas scaled alike, h's in quadrature.
void xmm_to_csc_bands(const XmmBands& in, double gamma, Moments out[3]);

// What a source carries from the master-level columns.
struct MasterInfo {
  std::string name;
  double ra = 0, dec = 0;          // deg
  double pu = 0;                   // arcsec (err_ellipse_r0)
  double significance = 0;
  bool sat = false, streak = false, extent = false, conf = false, pileup = false;
  double nh_gal = 0;               // 1e20 cm^-2
  Moments gamma{0, 0};             // power-law index (Fechner moments of mode and limits)
};

struct Detection {
  std::size_t source = 0;          // index into DetectionTable::sources
  std::size_t line = 0;            // file line
  std::string key;                 // obsid/region_id/obi
  std::string instrument;
  double theta = 0;                // arcmin
  double pileup_warning = 0;
  bool sat = false, streak = false;
  Moments band[3];                 // per-band Fechner moments (s, m, h)
  double variability = 0;          // kp_prob_b
};

struct DetectionTable {
  std::string path;
  std::vector<MasterInfo> sources;  // in order of first appearance
  std::vector<Detection> detections;
};

// A list of "what: count" lines, printed by the subcommands.
using Report = std::vector<std::pair<std::string, std::size_t>>;

DetectionTable read_csc_detections(const ArchiveTable& table, const AggregateParams& p);
DetectionTable read_xmm_detections(const ArchiveTable& table, const AggregateParams& p);

// Per-detection cuts; returns the kept mask. A detection may fail several rules:
// each rule's count is of the detections it rejects.
std::vector<bool> apply_detection_cuts(const DetectionTable& t, const AggregateParams& p,
                                       Report& report);

struct Source {
  MasterInfo info;
  Moments band[3];      // combined s, m, h (null bands replaced)
  Moments broad;        // Fs + Fm + Fh
  int flux_flag = 0;    // bit 1 s, 2 m, 4 h: replaced null band
  double p_intra = 0;   // max kp_prob_b over detections with a broad-band flux
  double p_inter = 0;   // chi-square CDF, NaN for fewer than two such detections
  double chi2 = 0;
  int dof = -1;
  int n_detections = 0; // kept detections of the source
};

std::vector<Source> combine_detections(const DetectionTable& t, const std::vector<bool>& keep,
                                       const AggregateParams& p, Report& report);
std::vector<Source> select_sources(const std::vector<Source>& sources, const SelectionParams& p,
                                   Report& report);

struct TextTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// CSCv2_name, CSCv2_RA, CSCv2_DEC, CSCv2_PU, CSCv2_S/N, Fs ... e_Fb, P_intra, P_inter,
// CSC_flags, flux_flag, nh_gal, powlaw_gamma, e_powlaw_gamma, n_detections, chisqr, dof.
TextTable master_table(const std::vector<Source>& sources);

// The whole chain; the report lists every count.
TextTable aggregate(const ArchiveTable& table, const ArchiveParams& p, Report& report);

// Joins a label column by name (`--labels`): sources without a label are dropped
// (counted); a label file naming a source twice is an Error.
void join_labels(TextTable& t, const std::string& name_column, const std::string& labels_path,
                 const std::string& label_name_column, const std::string& label_column,
                 Report& report);

}  // namespace mwclass::archive
