#pragma once
// A CSC-like sky for `mwclass simulate --sky csc` (issue 18): where the
// Chandra sources of a whole-catalog run lie and how much dust is in front of
// them, so that benchmarks see the paper's number of E(B-V) bins (E(B-V) from
// 0 to ~50, ~2,000 occupied bins of 0.025 mag; Yang et al. 2022, Sec. 3.5).
//
// Dust: E(B-V) per kpc of an exponential disk, rho0 exp(-(R - R0)/h_R)
// exp(-|z|/h_z), plus a central molecular zone, a Gaussian of radius r_cmz and
// height z_cmz around the Galactic centre. The catalog's E(B-V) is the whole
// column to 30 kpc (what a 2-D map such as SFD gives); a Galactic source sees
// the column to its distance, drawn along the line of sight from a stellar
// disk + bulge weighted by d^2 and cut at a class-typical maximum distance.
//
// Pointings: a source lies in a Galactic-centre pointing, an inner-disk
// pointing, an outer-disk pointing or at high latitude (uniform on the
// sphere), with class-dependent probabilities (Chandra's deep Galactic-centre
// and star-forming-region fields hold most Galactic sources; most AGN are
// found at high latitude). All numbers are in sky_model.cpp with their reasons.
#include <string>

#include "mwclass/core/rng.hpp"

namespace mwclass::catalog {

struct SkyDraw {
  double l = 0, b = 0;      // Galactic longitude, latitude (deg)
  double ebv = 0;           // whole line of sight (the dust-map value)
  double ebv_source = 0;    // in front of the source (= ebv for extragalactic sources)
};

// One source of class `class_name` (MUWCLASS names; others get generic
// Galactic values), `galactic` = lies in the Milky Way.
SkyDraw draw_csc_sky(rng::Stream& stream, const std::string& class_name, bool galactic);

// The dust column E(B-V) from the Sun to distance d_kpc toward (l, b) deg.
double dust_column(double l_deg, double b_deg, double d_kpc);

}  // namespace mwclass::catalog
