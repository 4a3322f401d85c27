#include "mwclass/archive/params.hpp"

#include <set>

#include <toml++/toml.h>

#include "mwclass/core/error.hpp"

namespace mwclass::archive {

std::map<std::string, CatalogColumns> CrossmatchParams::default_catalogs() {
  // VizieR column names; PU_cat rules of Yang et al. (2022) in arcsec (2 sigma).
  return {
      {"gaia",
       {"RA_ICRS", "DE_ICRS", {"e_RA_ICRS", "e_DE_ICRS"}, 2.0 / 1000.0,  // mas
        {"Gmag", "e_Gmag", "BPmag", "e_BPmag", "RPmag", "e_RPmag", "Plx", "e_Plx", "epsi",
         "PM", "pmRA", "e_pmRA", "pmDE", "e_pmDE", "rgeo", "b_rgeo", "B_rgeo", "rpgeo"}}},
      {"2mass",
       {"RAJ2000", "DEJ2000", {"errMaj"}, 2.0,
        {"Jmag", "e_Jmag", "Hmag", "e_Hmag", "Kmag", "e_Kmag"}}},
      {"allwise",
       {"RAJ2000", "DEJ2000", {"eeMaj"}, 2.0,
        {"W1mag", "e_W1mag", "W2mag", "e_W2mag", "W3mag", "e_W3mag"}}},
      {"catwise",
       {"RA_ICRS", "DE_ICRS", {"e_RA_ICRS", "e_DE_ICRS"}, 2.0,
        {"W1mproPM", "e_W1mproPM", "W2mproPM", "e_W2mproPM"}}},
      {"unwise",
       {"RAJ2000", "DEJ2000", {"e_XposW1", "e_XposW2", "e_YposW1", "e_YposW2"}, 2.0 * 2.75,
        {"FW1", "e_FW1", "FW2", "e_FW2"}}},
  };
}

namespace {

class Section {
 public:
  Section(const toml::table* t, std::string name, std::string path)
      : t_(t), name_(std::move(name)), path_(std::move(path)) {}

  template <typename T>
  void get(const char* key, T& out) {
    seen_.insert(key);
    if (!t_) return;
    const toml::node* n = t_->get(key);
    if (!n) return;
    if constexpr (std::is_same_v<T, bool>) {
      if (!n->is_boolean()) bad(key, "a boolean");
      out = n->as_boolean()->get();
    } else if constexpr (std::is_same_v<T, int>) {
      if (!n->is_integer()) bad(key, "an integer");
      out = static_cast<int>(n->as_integer()->get());
    } else if constexpr (std::is_same_v<T, double>) {
      if (auto v = n->value<double>()) out = *v;
      else bad(key, "a number");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!n->is_string()) bad(key, "a string");
      out = n->as_string()->get();
    } else {
      const toml::array* a = n->as_array();
      if (!a) bad(key, "an array of strings");
      out.clear();
      for (const auto& e : *a) {
        if (!e.is_string()) bad(key, "an array of strings");
        out.push_back(e.as_string()->get());
      }
    }
  }
  // Keys of sub-tables this section may hold (e.g. catalog names).
  void allow_tables(const std::set<std::string>& names) { tables_ = names; }
  void check_unknown() const {
    if (!t_) return;
    for (const auto& [k, v] : *t_) {
      const std::string key(k.str());
      if (seen_.count(key)) continue;
      if (v.is_table() && tables_.count(key)) continue;
      fail("{}: unknown key '{}' in [{}]", path_, key, name_);
    }
  }

 private:
  [[noreturn]] void bad(const char* key, const char* what) const {
    fail("{}: [{}] {} must be {}", path_, name_, key, what);
  }
  const toml::table* t_;
  std::string name_, path_;
  std::set<std::string> seen_, tables_;
};

}  // namespace

ArchiveParams read_archive_params(const std::string& path) {
  ArchiveParams p;
  if (path.empty()) return p;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    fail("{}: line {}, column {}: {}", path, e.source().begin.line, e.source().begin.column,
         e.description());
  }
  {
    auto& a = p.aggregate;
    Section s(root["aggregate"].as_table(), "aggregate", path);
    s.get("drop_instruments", a.drop_instruments);
    s.get("max_theta", a.max_theta);
    s.get("max_pileup_warning", a.max_pileup_warning);
    s.get("drop_saturated", a.drop_saturated);
    s.get("drop_streak", a.drop_streak);
    s.get("drop_shared_detections", a.drop_shared_detections);
    s.get("collapse_duplicates", a.collapse_duplicates);
    s.get("null_flux_upper", a.null_flux_upper);
    s.get("p_inter_decimals", a.p_inter_decimals);
    s.get("name_column", a.name_column);
    s.get("ra_column", a.ra_column);
    s.get("dec_column", a.dec_column);
    s.get("pu_column", a.pu_column);
    s.get("significance_column", a.significance_column);
    s.get("flux_prefix", a.flux_prefix);
    s.get("bands", a.bands);
    s.get("variability_column", a.variability_column);
    s.get("nh_column", a.nh_column);
    s.get("gamma_column", a.gamma_column);
    s.get("xmm", a.xmm);
    s.get("xmm_photon_index", a.xmm_photon_index);
    s.get("xmm_name_column", a.xmm_name_column);
    s.get("xmm_ra_column", a.xmm_ra_column);
    s.get("xmm_dec_column", a.xmm_dec_column);
    s.get("xmm_pu_column", a.xmm_pu_column);
    s.get("xmm_pu_scale", a.xmm_pu_scale);
    s.get("xmm_flux_prefix", a.xmm_flux_prefix);
    s.get("xmm_significance_column", a.xmm_significance_column);
    s.get("xmm_variability_column", a.xmm_variability_column);
    s.check_unknown();
    if (a.bands.size() != 3) fail("{}: [aggregate] bands must name three bands (soft, medium, hard)", path);
    if (a.max_theta <= 0) fail("{}: [aggregate] max_theta must be > 0 arcmin", path);
    if (a.null_flux_upper <= 0) fail("{}: [aggregate] null_flux_upper must be > 0", path);
  }
  {
    auto& q = p.selection;
    Section s(root["selection"].as_table(), "selection", path);
    s.get("drop_saturated", q.drop_saturated);
    s.get("drop_streak", q.drop_streak);
    s.get("min_significance", q.min_significance);
    s.get("max_pu", q.max_pu);
    s.get("drop_conf_flag", q.drop_conf_flag);
    s.get("drop_extent_flag", q.drop_extent_flag);
    s.check_unknown();
  }
  {
    auto& c = p.crossmatch;
    const toml::table* t = root["crossmatch"].as_table();
    Section s(t, "crossmatch", path);
    s.get("search_radius", c.search_radius);
    s.get("pu_factor", c.pu_factor);
    s.get("flag_threshold", c.flag_threshold);
    s.get("gaia_terms", c.gaia_terms);
    s.get("unwise_zero_point", c.unwise_zero_point);
    s.get("unwise_w1_offset", c.unwise_w1_offset);
    s.get("unwise_w2_offset", c.unwise_w2_offset);
    s.get("xray_name", c.xray_name);
    s.get("xray_ra", c.xray_ra);
    s.get("xray_dec", c.xray_dec);
    s.get("xray_pu", c.xray_pu);
    s.get("label_name_column", c.label_name_column);
    s.get("label_column", c.label_column);
    std::set<std::string> names;
    for (const auto& [n, cols] : c.catalogs) names.insert(n);
    s.allow_tables(names);
    s.check_unknown();
    if (c.search_radius <= 0) fail("{}: [crossmatch] search_radius must be > 0 arcsec", path);
    if (c.pu_factor < 1) fail("{}: [crossmatch] pu_factor must be >= 1", path);
    for (auto& [name, cols] : c.catalogs) {
      Section cs(t ? (*t)[name].as_table() : nullptr, "crossmatch." + name, path);
      cs.get("ra", cols.ra);
      cs.get("dec", cols.dec);
      cs.get("pu_columns", cols.pu_columns);
      cs.get("pu_scale", cols.pu_scale);
      cs.get("values", cols.values);
      cs.check_unknown();
    }
  }
  return p;
}

}  // namespace mwclass::archive
