// The stage functions on small tables written here: reading (both CSC forms),
// per-detection cuts, combination, selection, the spatial index, the archive
// sections of the central config.
#include <fstream>
#include <random>

#include <doctest/doctest.h>
#include <toml++/toml.h>

#include "mwclass/archive/aggregate.hpp"
#include "mwclass/archive/crossmatch.hpp"
#include "mwclass/archive/params.hpp"
#include "mwclass/archive/table.hpp"
#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "../../test_support.hpp"

using namespace mwclass::archive;
using mwclass::testing::rel;

namespace {

std::string write(const std::filesystem::path& dir, const std::string& name,
                  const std::string& text) {
  const auto p = dir / name;
  std::ofstream(p) << text;
  return p.string();
}

// A per-detection table in the pandas form, one line per detection:
// name, obsid, region, instrument, theta, pileup, sat.1, streak.1, s/m/h (mode lo hi), kp.
std::string pandas_table(const std::vector<std::string>& detections) {
  std::string t =
      "name,ra,dec,err_ellipse_r0,significance,sat_src_flag,streak_src_flag,extent_flag,"
      "conf_flag,pileup_flag,nh_gal,flux_aper90_s,flux_aper90_lolim_s,flux_aper90_hilim_s,"
      "obsid,region_id,obi,instrument,theta,pileup_warning,sat_src_flag.1,streak_src_flag.1,"
      "flux_aper90_s.1,flux_aper90_lolim_s.1,flux_aper90_hilim_s.1,"
      "flux_aper90_m.1,flux_aper90_lolim_m.1,flux_aper90_hilim_m.1,"
      "flux_aper90_h.1,flux_aper90_lolim_h.1,flux_aper90_hilim_h.1,kp_prob_b\n";
  for (const auto& d : detections) t += d + "\n";
  return t;
}

const char* kMaster = " 13 06 21.74,-60 43 28.36,0.79,2.63,False,False, TRUE,False,False,88.44,9,9,9";

}  // namespace

TEST_CASE("cells: sexagesimal, booleans, nulls, per-observation twins in both forms") {
  const auto dir = mwclass::testing::scratch_dir("archive-cells");
  const std::string csv = write(dir, "a.csv",
                                "name,ra,dec,flag,x,x.1\n"
                                " A , 13 06 21.74,-60 43 28.36, TRUE ,   ,2\n"
                                "B,196.5,-00 30 00,false,1.5,3\n");
  const ArchiveTable t = read_archive_table(csv);
  CHECK(t.text(0, t.column("name")) == "A");
  CHECK(t.ra_degrees(0, 1) == rel(15 * (13 + 6 / 60.0 + 21.74 / 3600)));
  CHECK(t.dec_degrees(0, 2) == rel(-(60 + 43 / 60.0 + 28.36 / 3600)));
  CHECK(t.ra_degrees(1, 1) == 196.5);
  CHECK(t.dec_degrees(1, 2) == rel(-0.5));
  CHECK(t.flag(0, 3));
  CHECK_FALSE(t.flag(1, 3));
  CHECK(std::isnan(t.number(0, t.column("x"))));
  CHECK(t.number(1, t.column("x", 1)) == 3);
  const std::string tsv = write(dir, "a.tsv",
                                "# CSC CLI output\n#  more comments\nname\tx\tx\n"
                                "A\t 1 \t 2 \n");
  const ArchiveTable r = read_archive_table(tsv);
  CHECK(r.number(0, r.column("x")) == 1);
  CHECK(r.number(0, r.column("x", 1)) == 2);
  const std::string bad = write(dir, "b.csv", "name,flag,v\nA,maybe,1x\n");
  const ArchiveTable b = read_archive_table(bad);
  CHECK_THROWS_WITH_AS(b.flag(0, 1), doctest::Contains("line 2, column 'flag'"), mwclass::Error);
  CHECK_THROWS_WITH_AS(b.number(0, 2), doctest::Contains("'1x' is not a number"), mwclass::Error);
  CHECK_THROWS_AS(read_archive_table((dir / "x.fits").string()), mwclass::Error);
}

TEST_CASE("per-detection cuts, duplicates and the combination") {
  const auto dir = mwclass::testing::scratch_dir("archive-cuts");
  const std::string m = kMaster;
  // Source A: two good detections, one duplicate of the first, one HRC, one off axis.
  // Source B: saturated, streaked, piled up, and one detection shared with C.
  const std::string path = write(
      dir, "per.csv",
      pandas_table({
          "A," + m + ",1,1,0,ACIS,1.0,0.01,False,False,2,1,4,2,1,4,2,1,4,0.5",
          "A," + m + ",2,1,0,ACIS,2.0,0.01,False,False,1,0,2,1,0,2,1,0,2,0.9",
          "A," + m + ",1,1,0,ACIS,1.0,0.01,False,False,2,1,4,2,1,4,2,1,4,0.5",
          "A," + m + ",3,1,0, HRC,1.0,0.01,False,False,2,1,4,2,1,4,2,1,4,0.99",
          "A," + m + ",4,1,0,ACIS,10.5,0.01,False,False,2,1,4,2,1,4,2,1,4,0.99",
          "B," + m + ",5,1,0,ACIS,1.0,0.01, TRUE,False,2,1,4,2,1,4,2,1,4,0.1",
          "B," + m + ",6,1,0,ACIS,1.0,0.01,False,True,2,1,4,2,1,4,2,1,4,0.1",
          "B," + m + ",7,1,0,ACIS,1.0,0.31,False,False,2,1,4,2,1,4,2,1,4,0.1",
          "B," + m + ",8,1,0,ACIS,1.0,0.01,False,False,2,1,4,2,1,4,2,1,4,0.1",
          "C," + m + ",8,1,0,ACIS,1.0,0.01,False,False,2,1,4,2,1,4,2,1,4,0.1",
          "D," + m + ",9,1,0,ACIS,1.0,0.01,False,False,2,1,4,,,,,,,0.2",
      }));
  const ArchiveTable table = read_archive_table(path);
  AggregateParams p;
  const DetectionTable d = read_csc_detections(table, p);
  REQUIRE(d.sources.size() == 4);
  REQUIRE(d.detections.size() == 11);
  Report report;
  const std::vector<bool> keep = apply_detection_cuts(d, p, report);
  auto count = [&](const std::string& what) {
    for (const auto& [w, c] : report)
      if (w.find(what) != std::string::npos) return c;
    FAIL("no report line " << what);
    return std::size_t(0);
  };
  CHECK(count("duplicate") == 1);
  CHECK(count("instrument HRC") == 1);
  CHECK(count("theta") == 1);
  CHECK(count("sat_src_flag") == 1);
  CHECK(count("streak_src_flag") == 1);
  CHECK(count("pileup_warning") == 1);
  CHECK(count("claimed by several") == 2);
  CHECK(count("detections kept") == 3);
  CHECK(keep == std::vector<bool>{true, true, false, false, false, false, false, false, false,
                                  false, true});

  const std::vector<Source> s = combine_detections(d, keep, p, report);
  REQUIRE(s.size() == 2);  // B and C have no detection left
  CHECK(count("no detection passed") == 2);
  const Source& a = s[0];
  CHECK(a.info.name == "A");
  CHECK(a.n_detections == 2);
  // Detection 1: (2, 1, 4) -> mean 2 + sqrt(2/pi) = 2.797884560802865, var 2.36338...
  // Detection 2: (1, 0, 2) -> mean 1, var 1. Weighted mean with w = 1/2.3634, 1.
  const double m1 = 2.7978845608028653, v1 = 1.5373289262979535 * 1.5373289262979535;
  const double w1 = 1 / v1, w2 = 1.0;
  CHECK(a.band[0].mean == rel((m1 * w1 + 1 * w2) / (w1 + w2)));
  CHECK(a.band[0].sigma == rel(std::sqrt(1 / (w1 + w2))));
  CHECK(a.flux_flag == 0);
  CHECK(a.p_intra == 0.9);
  // Broad band per detection: 3 m1 +- sqrt(3 v1) and 3 +- sqrt(3).
  const double fb1 = 3 * m1, vb1 = 3 * v1, fb2 = 3, vb2 = 3;
  const double fbar = (fb1 / vb1 + fb2 / vb2) / (1 / vb1 + 1 / vb2);
  const double chi2 = (fb1 - fbar) * (fb1 - fbar) / vb1 + (fb2 - fbar) * (fb2 - fbar) / vb2;
  CHECK(a.dof == 1);
  CHECK(a.chi2 == rel(chi2));
  CHECK(a.p_inter == round_decimals(std::erf(std::sqrt(chi2 / 2)), 3));
  CHECK(a.broad.mean == rel(a.band[0].mean + a.band[1].mean + a.band[2].mean));
  // D: only the soft band measured: m and h replaced, P_intra/P_inter missing.
  const Source& dd = s[1];
  CHECK(dd.flux_flag == 6);
  CHECK(dd.band[1].mean == rel(7.978845608028655e-18));
  CHECK(std::isnan(dd.p_intra));
  CHECK(std::isnan(dd.p_inter));
  CHECK(dd.dof == -1);  // no detection with all three bands, like the authors' dof

  // Mutation guard: without collapsing, A's duplicate counts twice.
  AggregateParams no_collapse = p;
  no_collapse.collapse_duplicates = false;
  Report r2;
  const auto keep2 = apply_detection_cuts(d, no_collapse, r2);
  CHECK(combine_detections(d, keep2, no_collapse, r2)[0].n_detections == 3);

  // Source selection: master flags and the good-sample cuts.
  SelectionParams q;
  q.drop_extent_flag = true;  // kMaster has extent_flag TRUE
  CHECK(select_sources(s, q, report).empty());
  SelectionParams q2;
  q2.min_significance = 3;  // 2.63
  CHECK(select_sources(s, q2, report).empty());
  SelectionParams q3;
  q3.max_pu = 1.0;  // 0.79
  CHECK(select_sources(s, q3, report).size() == 2);
  const TextTable out = master_table(s);
  CHECK(out.header[0] == "CSCv2_name");
  CHECK(out.rows[0][out.header.size() - 8] == "extent");  // CSC_flags
}

TEST_CASE("a band without measurements in every detection is dropped with flux_flag 7") {
  const auto dir = mwclass::testing::scratch_dir("archive-null");
  const std::string path = write(dir, "per.csv",
                                 pandas_table({"E," + std::string(kMaster) +
                                               ",1,1,0,ACIS,1.0,0.01,False,False,,,,,,,,,,0.2"}));
  const ArchiveTable table = read_archive_table(path);
  Report report;
  ArchiveParams p;
  const TextTable t = aggregate(table, p, report);
  CHECK(t.rows.empty());
  bool found = false;
  for (const auto& [w, c] : report)
    if (w.find("flux_flag 7") != std::string::npos) found = (c == 1);
  CHECK(found);
}

TEST_CASE("spatial index: nearest and second nearest agree with brute force") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-0.05, 0.05);
  std::vector<double> ra, dec;
  for (int i = 0; i < 4000; ++i) {
    ra.push_back(std::fmod(360.0 + u(rng) * 2, 360.0));  // straddles RA 0
    dec.push_back(-60 + u(rng));
  }
  ra.push_back(ra[0]);  // an exact positional duplicate: the tie goes to the lower row
  dec.push_back(dec[0]);
  const double radius = 10;
  const SkyIndex index(ra, dec, radius);
  for (int q = 0; q < 300; ++q) {
    const double qra = std::fmod(360.0 + u(rng) * 2, 360.0), qdec = -60 + u(rng);
    long b1 = -1, b2 = -1;
    double r1 = 1e9, r2 = 1e9;
    for (std::size_t i = 0; i < ra.size(); ++i) {
      const double r = angular_separation_arcsec(qra, qdec, ra[i], dec[i]);
      if (r > radius) continue;
      if (r < r1) { r2 = r1; b2 = b1; r1 = r; b1 = long(i); }
      else if (r < r2) { r2 = r; b2 = long(i); }
    }
    const auto n = index.nearest_two(qra, qdec);
    CHECK(n.first == b1);
    CHECK(n.second == b2);
    if (b1 >= 0) CHECK(n.r1 == r1);
  }
  const auto self = index.nearest_two(ra[0], dec[0]);
  CHECK(self.first == 0);
  CHECK(self.second == 4000);
  CHECK(self.r2 == 0);
}

TEST_CASE("the archive sections of the central config: defaults, overrides, unknown keys named with the file") {
  using mwclass::Config;
  const auto dir = mwclass::testing::scratch_dir("archive-config");
  const std::string good = write(dir, "good.toml",
                                 "[monte_carlo]\niterations = 5\n"  // a file may carry every section
                                 "[aggregate]\nmax_theta = 8.0\nbands = [\"s\", \"m\", \"h\"]\n"
                                 "[selection]\nmin_significance = 3\n"
                                 "[crossmatch]\npu_factor = 2\n[crossmatch.gaia]\nra = \"RAdeg\"\n");
  const ArchiveParams p(Config::from_toml_file(good));
  CHECK(p.aggregate.max_theta == 8.0);
  CHECK(p.aggregate.max_pileup_warning == 0.3);
  CHECK(p.selection.min_significance == 3);
  CHECK(p.crossmatch.pu_factor == 2);
  CHECK(p.crossmatch.catalogs.at("gaia").ra == "RAdeg");       // merged over the default entry
  CHECK(p.crossmatch.catalogs.at("gaia").dec == "DE_ICRS");
  CHECK(p.crossmatch.catalogs.at("2mass").ra == "RAJ2000");    // other entries untouched
  CHECK(p.crossmatch.catalogs.size() == 5);
  auto message = [&](const std::string& name, const std::string& text) {
    try {
      Config::from_toml_file(write(dir, name, text));
    } catch (const mwclass::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("bad.toml", "[aggregate]\nmax_tehta = 8\n").find("bad.toml: [aggregate] max_tehta: unknown key") != std::string::npos);
  CHECK(message("bad2.toml", "[crossmatch.sdss]\nra = \"x\"\n").find("bad2.toml: [crossmatch] sdss: unknown key") != std::string::npos);
  CHECK(message("bad3.toml", "[selection]\ndrop_streak = 1\n").find("[selection] drop_streak: expected true or false") != std::string::npos);
  CHECK(message("bad4.toml", "[crossmatch.gaia]\npu_scal = 2\n").find("[crossmatch.gaia] pu_scal: unknown key") != std::string::npos);
  CHECK(message("bad5.toml", "[aggregate]\nbands = [\"s\", \"m\"]\n").find("aggregate: bands must name three bands") != std::string::npos);
  CHECK(message("bad6.toml", "[aggregate]\nmax_theta = 0\n").find("aggregate.max_theta must be > 0 (got 0)") != std::string::npos);
  CHECK(message("bad7.toml", "[crossmatch]\npu_factor = 0.5\n").find("crossmatch.pu_factor must be >= 1 (got 0.5)") != std::string::npos);
  CHECK(message("bad8.toml", "[crossmatch.unwise]\npu_scale = 0\n").find("crossmatch.unwise.pu_scale must be > 0 (got 0)") != std::string::npos);
  CHECK(message("bad9.toml", "[aggregate]\nnull_flux_upper = -1\n").find("aggregate.null_flux_upper must be > 0") != std::string::npos);
  // --set reaches the same keys, catalog entries included.
  Config c = Config::defaults();
  c.set("crossmatch.2mass.pu_columns=[\"errMaj\", \"errMin\"]");
  c.set("selection.drop_conf_flag=true");
  CHECK(c.crossmatch.catalogs.at("2mass").pu_columns == std::vector<std::string>{"errMaj", "errMin"});
  CHECK(c.selection.drop_conf_flag);
  CHECK_THROWS_WITH_AS(c.set("crossmatch.sdss.ra=x"), doctest::Contains("[crossmatch] sdss: unknown key"), mwclass::Error);
}

TEST_CASE("4XMM input: bands converted, detections combined by name") {
  const auto dir = mwclass::testing::scratch_dir("archive-xmm");
  // Two detections of one source, Gamma = 1 so that s = 1.4 EP_2, m = 0.8 EP_3,
  // h = EP_4 + EP_5 / 3 (hand-computed in test_formulas.cpp).
  const std::string path = write(
      dir, "xmm.csv",
      "IAUNAME,SC_RA,SC_DEC,SC_POSERR,SC_DET_ML,EP_2_FLUX,EP_2_FLUX_ERR,EP_3_FLUX,EP_3_FLUX_ERR,"
      "EP_4_FLUX,EP_4_FLUX_ERR,EP_5_FLUX,EP_5_FLUX_ERR\n"
      "4XMM J000000.0+000000,0.0,0.0,1.0,50,1e-14,1e-15,2e-14,2e-15,3e-14,3e-15,6e-14,6e-15\n"
      "4XMM J000000.0+000000,0.0,0.0,1.0,50,1e-14,2e-15,2e-14,2e-15,3e-14,3e-15,6e-14,6e-15\n");
  ArchiveParams p;
  p.aggregate.xmm = true;
  p.aggregate.xmm_photon_index = 1.0;
  Report report;
  const TextTable t = aggregate(read_archive_table(path), p, report);
  REQUIRE(t.rows.size() == 1);
  CHECK(std::stod(t.rows[0][5]) == rel(1.4e-14));                        // Fs
  CHECK(std::stod(t.rows[0][6]) == rel(1.4 / std::sqrt(1e30 + 0.25e30)));  // e_Fs: ivw of 1.4e-15, 2.8e-15
  CHECK(std::stod(t.rows[0][7]) == rel(1.6e-14));                        // Fm
  CHECK(std::stod(t.rows[0][9]) == rel(5e-14));                          // Fh
  CHECK(std::stod(t.rows[0][3]) == rel(2.45));                           // 1-sigma -> 95 % PU
  CHECK(t.rows[0][14] == "0");                                           // P_inter: identical fluxes
}

TEST_CASE("configs/archive.toml lists every archive key at its built-in default") {
  const std::string path = std::string(MWCLASS_SOURCE_DIR) + "/configs/archive.toml";
  const toml::table file = toml::parse_file(path);
  const toml::table code = toml::parse(mwclass::Config::defaults().to_toml());
  CHECK(file.size() == 3);  // [aggregate], [selection], [crossmatch] and nothing else
  for (const char* section : {"aggregate", "selection", "crossmatch"}) {
    INFO(section);
    REQUIRE(file[section].is_table());
    // Same keys, same types, same values (the catalog tables included).
    CHECK(*file[section].as_table() == *code[section].as_table());
  }
  CHECK(mwclass::Config::from_toml_file(path).to_toml() == mwclass::Config::defaults().to_toml());
}

TEST_CASE("--labels: a label column joined by name; unlabelled sources dropped and counted") {
  const auto dir = mwclass::testing::scratch_dir("archive-labels");
  TextTable t;
  t.header = {"CSCv2_name", "Fs"};
  t.rows = {{"A", "1"}, {"B", "2"}, {"C", "3"}};
  const std::string labels = write(dir, "labels.csv", "CSCv2_name,True_Class\nC,YSO\nA,AGN\nZ,CV\n");
  Report report;
  join_labels(t, "CSCv2_name", labels, "CSCv2_name", "True_Class", report);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.header.back() == "True_Class");
  CHECK(t.rows[0] == std::vector<std::string>{"A", "1", "AGN"});
  CHECK(t.rows[1] == std::vector<std::string>{"C", "3", "YSO"});
  CHECK(report.back().second == 1);
  const std::string twice = write(dir, "twice.csv", "CSCv2_name,True_Class\nA,AGN\nA,CV\n");
  TextTable u;
  u.header = {"CSCv2_name"};
  u.rows = {{"A"}};
  CHECK_THROWS_WITH_AS(join_labels(u, "CSCv2_name", twice, "CSCv2_name", "True_Class", report),
                       doctest::Contains("twice.csv: line 3, column 'CSCv2_name': source 'A' is labelled twice"),
                       mwclass::Error);
}
