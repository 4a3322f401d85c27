#include "mwclass/core/config.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "mwclass/core/error.hpp"

namespace mwclass {

Config Config::defaults() {
  Config c;
  auto& f = c.features;
  // Chandra Source Catalog v2 bands (keV): soft, medium, hard.
  f.xray_bands = {{"s", "Fs", "e_Fs", 0.5, 1.2}, {"m", "Fm", "e_Fm", 1.2, 2.0},
                  {"h", "Fh", "e_Fh", 2.0, 7.0}};
  // name, mag, error, f0 [erg/s/cm2/A], W_eff [A], survey limit, A/E(B-V) (F99, R_V=3.1)
  f.optical_bands = {
      {"G", "Gmag", "e_Gmag", 2.5e-9, 4052.97, 21.5, 2.8019},
      {"BP", "BPmag", "e_BPmag", 4.08e-9, 2157.50, 21.5, 3.4417},
      {"RP", "RPmag", "e_RPmag", 1.27e-9, 2924.44, 21.0, 1.8601},
      {"J", "Jmag", "e_Jmag", 3.13e-10, 1624.32, 18.5, 0.8124},
      {"H", "Hmag", "e_Hmag", 1.13e-10, 2509.40, 18.0, 0.5061},
      {"K", "Kmag", "e_Kmag", 4.28e-11, 2618.87, 17.0, 0.3471},
      {"W1", "W1mag", "e_W1mag", 8.18e-12, 6626.42, 18.5, 0.1985},
      {"W2", "W2mag", "e_W2mag", 2.42e-12, 10422.66, 17.5, 0.1385},
      {"W3", "W3mag", "e_W3mag", 6.52e-14, 55055.71, 14.5, 0.0528},
  };
  f.hardness_ratios = {{"HR_ms", {"m"}, {"s"}, {"s", "m"}},
                       {"HR_hm", {"h"}, {"m"}, {"m", "h"}},
                       {"HR_hms", {"h"}, {"m", "s"}, {"s", "m", "h"}}};
  f.colours = {{"G-BP", "G", "BP"}, {"G-RP", "G", "RP"}, {"G-J", "G", "J"},
               {"G-H", "G", "H"},   {"G-K", "G", "K"},   {"BP-RP", "BP", "RP"},
               {"J-H", "J", "H"},   {"J-K", "J", "K"},   {"H-K", "H", "K"},
               {"W1-W2", "W1", "W2"}, {"W1-W3", "W1", "W3"}, {"W2-W3", "W2", "W3"}};
  // Table 2 of Yang et al. (2022): 29 features.
  f.used = {"Fs", "Fm", "Fh", "Fb", "HR_ms", "HR_hm", "HR_hms", "P_intra", "P_inter",
            "G", "BP", "RP", "J", "H", "K", "W1", "W2",
            "G-BP", "G-RP", "G-J", "G-H", "G-K", "BP-RP", "J-H", "J-K", "H-K",
            "W1-W2", "W1-W3", "W2-W3"};
  // Naive Bayes categories after Tranin et al. (2022): X-ray spectrum,
  // variability, multiwavelength (optical/IR magnitudes and colours).
  c.classifier.nb.categories = {
      {"spectrum", 1.0, {"Fs", "Fm", "Fh", "Fb", "HR_ms", "HR_hm", "HR_hms"}},
      {"variability", 1.0, {"P_intra", "P_inter"}},
      {"multiwavelength", 1.0,
       {"G", "BP", "RP", "J", "H", "K", "W1", "W2", "G-BP", "G-RP", "G-J", "G-H", "G-K",
        "BP-RP", "J-H", "J-K", "H-K", "W1-W2", "W1-W3", "W2-W3"}}};
  return c;
}

int Config::class_index(const std::string& name) const {
  const auto& cl = classifier.classes;
  const auto it = std::find(cl.begin(), cl.end(), name);
  return it == cl.end() ? -1 : static_cast<int>(it - cl.begin());
}

// ---------------------------------------------------------------- reading --

namespace {

// Reads one TOML table, remembering which keys were consumed so that unknown
// (misspelt) keys are reported instead of silently ignored.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string origin, std::string path)
      : table_(table), origin_(std::move(origin)), path_(std::move(path)) {}

  std::string where(const std::string& key) const {
    return fmt::format("{}: [{}] {}", origin_, path_.empty() ? "top level" : path_, key);
  }

  template <typename T>
  void get(const std::string& key, T& out) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) return;
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value_exact<bool>()) { out = *v; return; }
      fail("{}: expected true or false", where(key));
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value_exact<std::string>()) { out = *v; return; }
      fail("{}: expected a string", where(key));
    } else if constexpr (std::is_integral_v<T>) {
      if (auto v = node->value_exact<int64_t>()) { out = static_cast<T>(*v); return; }
      fail("{}: expected an integer", where(key));
    } else if constexpr (std::is_floating_point_v<T>) {
      if (auto v = node->value<double>()) { out = *v; return; }
      fail("{}: expected a number", where(key));
    } else if constexpr (std::is_same_v<T, std::vector<double>>) {
      const toml::array* arr = node->as_array();
      if (!arr) fail("{}: expected an array of numbers", where(key));
      out.clear();
      for (const auto& el : *arr) {
        auto v = el.value<double>();
        if (!v) fail("{}: expected an array of numbers", where(key));
        out.push_back(*v);
      }
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      const toml::array* arr = node->as_array();
      if (!arr) fail("{}: expected an array of strings", where(key));
      out.clear();
      for (const auto& el : *arr) {
        auto v = el.value_exact<std::string>();
        if (!v) fail("{}: expected an array of strings", where(key));
        out.push_back(*v);
      }
    }
  }

  const toml::table* subtable(const std::string& key) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) fail("{}: expected a table", where(key));
    return node->as_table();
  }

  const toml::array* table_array(const std::string& key) {
    seen_.insert(key);
    const toml::node* node = table_.get(key);
    if (!node) return nullptr;
    if (!node->is_array_of_tables()) fail("{}: expected an array of tables ([[{}.{}]])", where(key), path_, key);
    return node->as_array();
  }

  void reject_unknown() const {
    for (const auto& [k, v] : table_) {
      const std::string key(k.str());
      if (!seen_.count(key)) fail("{}: unknown key", where(key));
    }
  }

 private:
  const toml::table& table_;
  std::string origin_, path_;
  std::set<std::string> seen_;
};

template <typename Fn>
void read_section(TableReader& parent, const std::string& key, const std::string& origin,
                  const std::string& path, Fn&& fn) {
  if (const toml::table* t = parent.subtable(key)) {
    TableReader r(*t, origin, path);
    fn(r);
    r.reject_unknown();
  }
}

template <typename T, typename Fn>
void read_table_array(TableReader& parent, const std::string& key, const std::string& origin,
                      const std::string& path, std::vector<T>& out, Fn&& fn) {
  if (const toml::array* arr = parent.table_array(key)) {
    out.clear();
    for (const auto& el : *arr) {
      TableReader r(*el.as_table(), origin, fmt::format("[{}] #{}", path, out.size() + 1));
      T item;
      fn(r, item);
      r.reject_unknown();
      out.push_back(std::move(item));
    }
  }
}

}  // namespace

Config Config::from_toml_string(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    fail("{}:{}:{}: {}", origin, e.source().begin.line, e.source().begin.column, e.description());
  }
  Config c = defaults();
  TableReader top(root, origin, "");
  top.get("seed", c.seed);
  top.get("threads", c.threads);
  read_section(top, "columns", origin, "columns", [&](TableReader& r) {
    r.get("name", c.columns.name);
    r.get("ra", c.columns.ra);
    r.get("dec", c.columns.dec);
    r.get("label", c.columns.label);
    r.get("ebv", c.columns.ebv);
    r.get("variability", c.columns.variability);
  });
  read_section(top, "features", origin, "features", [&](TableReader& r) {
    auto& f = c.features;
    r.get("broad_band_name", f.broad_band_name);
    r.get("used", f.used);
    r.get("location", f.location);
    r.get("random_feature", f.random_feature);
    read_table_array(r, "xray_bands", origin, "features.xray_bands", f.xray_bands,
                     [](TableReader& t, XrayBand& b) {
                       t.get("name", b.name);
                       t.get("flux_column", b.flux_column);
                       t.get("error_column", b.error_column);
                       t.get("energy_lo_kev", b.energy_lo_kev);
                       t.get("energy_hi_kev", b.energy_hi_kev);
                     });
    read_table_array(r, "optical_bands", origin, "features.optical_bands", f.optical_bands,
                     [](TableReader& t, OpticalBand& b) {
                       t.get("name", b.name);
                       t.get("mag_column", b.mag_column);
                       t.get("error_column", b.error_column);
                       t.get("zero_point_flux", b.zero_point_flux);
                       t.get("effective_width", b.effective_width);
                       t.get("limit_mag", b.limit_mag);
                       t.get("extinction_coeff", b.extinction_coeff);
                     });
    read_table_array(r, "hardness_ratios", origin, "features.hardness_ratios",
                     f.hardness_ratios, [](TableReader& t, HardnessRatio& h) {
                       t.get("name", h.name);
                       t.get("plus", h.plus);
                       t.get("minus", h.minus);
                       t.get("denominator", h.denominator);
                     });
    read_table_array(r, "colours", origin, "features.colours", f.colours,
                     [](TableReader& t, Colour& col) {
                       t.get("name", col.name);
                       t.get("blue", col.blue);
                       t.get("red", col.red);
                     });
  });
  read_section(top, "monte_carlo", origin, "monte_carlo", [&](TableReader& r) {
    r.get("enabled", c.monte_carlo.enabled);
    r.get("iterations", c.monte_carlo.iterations);
    r.get("error_scale", c.monte_carlo.error_scale);
  });
  read_section(top, "reddening", origin, "reddening", [&](TableReader& r) {
    r.get("enabled", c.reddening.enabled);
    r.get("classes", c.reddening.classes);
    r.get("bin_width", c.reddening.bin_width);
    r.get("nh_per_ebv", c.reddening.nh_per_ebv);
    r.get("photon_index", c.reddening.photon_index);
    r.get("absorption_table", c.reddening.absorption_table);
  });
  read_section(top, "smote", origin, "smote", [&](TableReader& r) {
    r.get("enabled", c.smote.enabled);
    r.get("k_neighbors", c.smote.k_neighbors);
    r.get("missing_fill", c.smote.missing_fill);
  });
  read_section(top, "classifier", origin, "classifier", [&](TableReader& r) {
    r.get("classes", c.classifier.classes);
    r.get("model", c.classifier.model);
    r.get("missing_flag", c.classifier.missing_flag);
    r.get("confidence_threshold", c.classifier.confidence_threshold);
    r.get("outlier_percentile", c.classifier.outlier_percentile);
    read_section(r, "forest", origin, "classifier.forest", [&](TableReader& t) {
      auto& p = c.classifier.forest;
      t.get("n_trees", p.n_trees);
      t.get("max_features", p.max_features);
      t.get("min_samples_split", p.min_samples_split);
      t.get("min_samples_leaf", p.min_samples_leaf);
      t.get("max_depth", p.max_depth);
      t.get("bootstrap", p.bootstrap);
      t.get("class_weight_balanced", p.class_weight_balanced);
      t.get("balanced_bootstrap", p.balanced_bootstrap);
      t.get("max_bins", p.max_bins);
    });
    read_section(r, "gbdt", origin, "classifier.gbdt", [&](TableReader& t) {
      auto& p = c.classifier.gbdt;
      t.get("n_rounds", p.n_rounds);
      t.get("learning_rate", p.learning_rate);
      t.get("max_depth", p.max_depth);
      t.get("min_child_weight", p.min_child_weight);
      t.get("subsample", p.subsample);
      t.get("colsample_bytree", p.colsample_bytree);
      t.get("reg_lambda", p.reg_lambda);
      t.get("max_bin", p.max_bin);
      t.get("balance_classes", p.balance_classes);
    });
    read_section(r, "nb", origin, "classifier.nb", [&](TableReader& t) {
      auto& p = c.classifier.nb;
      t.get("missing", p.missing);
      t.get("presence_weight", p.presence_weight);
      t.get("prior", p.prior);
      t.get("given_priors", p.given_priors);
      t.get("bandwidth", p.bandwidth);
      t.get("bandwidth_factor", p.bandwidth_factor);
      t.get("density_floor", p.density_floor);
      t.get("grid_step", p.grid_step);
      t.get("quality", p.quality);
      read_table_array(t, "categories", origin, "classifier.nb.categories", p.categories,
                       [](TableReader& u, NaiveBayesCategory& cat) {
                         u.get("name", cat.name);
                         u.get("weight", cat.weight);
                         u.get("features", cat.features);
                       });
    });
  });
  top.reject_unknown();
  c.validate();
  return c;
}

Config Config::from_toml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot read config file '{}'", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return from_toml_string(ss.str(), path);
}

// ------------------------------------------------------------- validation --

void Config::validate() const {
  auto require = [](bool ok, const char* what) {
    if (!ok) fail("invalid configuration: {}", what);
  };
  require(monte_carlo.iterations >= 1, "monte_carlo.iterations must be >= 1");
  require(monte_carlo.error_scale > 0, "monte_carlo.error_scale must be > 0");
  require(reddening.bin_width > 0, "reddening.bin_width must be > 0");
  require(reddening.nh_per_ebv >= 0, "reddening.nh_per_ebv must be >= 0");
  require(smote.k_neighbors >= 1, "smote.k_neighbors must be >= 1");
  require(classifier.classes.size() >= 2, "classifier.classes needs at least two classes");
  require(classifier.forest.n_trees >= 1, "classifier.forest.n_trees must be >= 1");
  require(classifier.forest.max_features >= 0, "classifier.forest.max_features must be >= 0");
  require(classifier.forest.min_samples_split >= 2, "classifier.forest.min_samples_split must be >= 2");
  require(classifier.forest.min_samples_leaf >= 1, "classifier.forest.min_samples_leaf must be >= 1");
  require(classifier.forest.max_depth >= 0, "classifier.forest.max_depth must be >= 0");
  require(classifier.forest.bootstrap || !classifier.forest.balanced_bootstrap,
          "classifier.forest.balanced_bootstrap needs bootstrap = true");
  require(classifier.forest.max_bins == 0 ||
              (classifier.forest.max_bins >= 2 && classifier.forest.max_bins <= 65536),
          "classifier.forest.max_bins must be 0 (exact splits) or in [2, 65536]");
  require(classifier.outlier_percentile >= 0 && classifier.outlier_percentile <= 1,
          "classifier.outlier_percentile must be in [0, 1]");
  // classifier.model is checked against the learner registry by
  // learners::check_learner (core does not know the learners).
  const auto& g = classifier.gbdt;
  require(g.n_rounds >= 1, "classifier.gbdt.n_rounds must be >= 1");
  require(g.learning_rate > 0, "classifier.gbdt.learning_rate must be > 0");
  require(g.max_depth >= 1, "classifier.gbdt.max_depth must be >= 1");
  require(g.min_child_weight >= 0, "classifier.gbdt.min_child_weight must be >= 0");
  require(g.subsample > 0 && g.subsample <= 1, "classifier.gbdt.subsample must be in (0, 1]");
  require(g.colsample_bytree > 0 && g.colsample_bytree <= 1, "classifier.gbdt.colsample_bytree must be in (0, 1]");
  require(g.reg_lambda >= 0, "classifier.gbdt.reg_lambda must be >= 0");
  require(g.max_bin >= 2, "classifier.gbdt.max_bin must be >= 2");
  const auto& nb = classifier.nb;
  if (nb.missing != "skip" && nb.missing != "presence")
    fail("invalid configuration: classifier.nb.missing must be \"skip\" or \"presence\" (got \"{}\")", nb.missing);
  if (nb.prior != "training" && nb.prior != "uniform" && nb.prior != "given")
    fail("invalid configuration: classifier.nb.prior must be \"training\", \"uniform\" or \"given\" (got \"{}\")", nb.prior);
  if (nb.bandwidth != "silverman" && nb.bandwidth != "scott")
    fail("invalid configuration: classifier.nb.bandwidth must be \"silverman\" or \"scott\" (got \"{}\")", nb.bandwidth);
  if (nb.prior == "given" && nb.given_priors.size() != classifier.classes.size())
    fail("invalid configuration: classifier.nb.given_priors has {} values, classifier.classes has {} classes",
         nb.given_priors.size(), classifier.classes.size());
  for (double v : nb.given_priors) require(v >= 0, "classifier.nb.given_priors must be >= 0");
  require(nb.presence_weight >= 0, "classifier.nb.presence_weight must be >= 0");
  require(nb.bandwidth_factor > 0, "classifier.nb.bandwidth_factor must be > 0");
  require(nb.density_floor > 0 && nb.density_floor < 1, "classifier.nb.density_floor must be in (0, 1)");
  require(nb.grid_step >= 0 && nb.grid_step <= 1, "classifier.nb.grid_step must be in [0, 1]");
  require(threads >= 1, "threads must be >= 1");
  require(!features.xray_bands.empty(), "features.xray_bands is empty");
  require(!features.used.empty(), "features.used is empty");

  std::set<std::string> names;
  auto add_name = [&](const std::string& n, const char* kind) {
    if (n.empty()) fail("invalid configuration: a {} has an empty name", kind);
    if (!names.insert(n).second) fail("invalid configuration: feature name '{}' defined twice", n);
  };
  std::set<std::string> xray, optical;
  for (const auto& b : features.xray_bands) {
    xray.insert(b.name);
    add_name("F" + b.name, "features.xray_bands entry");
    if (!(b.energy_hi_kev > b.energy_lo_kev && b.energy_lo_kev > 0))
      fail("invalid configuration: X-ray band '{}' needs 0 < energy_lo_kev < energy_hi_kev", b.name);
  }
  add_name("F" + features.broad_band_name, "broad band");
  for (const auto& b : features.optical_bands) {
    optical.insert(b.name);
    add_name(b.name, "features.optical_bands entry");
    if (!(b.zero_point_flux > 0 && b.effective_width > 0))
      fail("invalid configuration: optical band '{}' needs zero_point_flux > 0 and effective_width > 0", b.name);
  }
  for (const auto& v : columns.variability) add_name(v, "columns.variability entry");
  for (const auto& h : features.hardness_ratios) {
    add_name(h.name, "hardness ratio");
    for (const auto* list : {&h.plus, &h.minus, &h.denominator})
      for (const auto& b : *list)
        if (!xray.count(b)) fail("invalid configuration: hardness ratio '{}' names unknown X-ray band '{}'", h.name, b);
    if (h.denominator.empty()) fail("invalid configuration: hardness ratio '{}' has no denominator", h.name);
  }
  for (const auto& col : features.colours) {
    add_name(col.name, "colour");
    if (!optical.count(col.blue) || !optical.count(col.red))
      fail("invalid configuration: colour '{}' names an unknown optical band", col.name);
  }
  for (const auto& u : features.used)
    if (!names.count(u)) fail("invalid configuration: features.used names unknown feature '{}'", u);
  names.insert("gal_l");  // the location features (features.location) may be in nb categories
  names.insert("gal_b");
  {
    std::set<std::string> seen_categories, seen_features;
    for (const auto& cat : nb.categories) {
      if (cat.name.empty()) fail("invalid configuration: a classifier.nb.categories entry has no name");
      if (!seen_categories.insert(cat.name).second)
        fail("invalid configuration: classifier.nb category '{}' defined twice", cat.name);
      if (!(cat.weight >= 0)) fail("invalid configuration: classifier.nb category '{}' needs weight >= 0", cat.name);
      for (const auto& f : cat.features) {
        if (!names.count(f))  // a defined feature not in features.used is simply not a column
          fail("invalid configuration: classifier.nb category '{}' names unknown feature '{}'", cat.name, f);
        if (!seen_features.insert(f).second)
          fail("invalid configuration: feature '{}' is in two classifier.nb categories", f);
      }
    }
  }
  std::set<std::string> cls(classifier.classes.begin(), classifier.classes.end());
  if (cls.size() != classifier.classes.size()) fail("invalid configuration: classifier.classes has duplicates");
  for (const auto& r : reddening.classes)
    if (!cls.count(r)) fail("invalid configuration: reddening.classes names unknown class '{}'", r);
}

// ---------------------------------------------------------------- writing --

std::string Config::to_toml() const {
  auto strings = [](const std::vector<std::string>& v) {
    toml::array a;
    for (const auto& s : v) a.push_back(s);
    return a;
  };
  toml::table root;
  root.insert("seed", static_cast<int64_t>(seed));
  root.insert("threads", threads);
  root.insert("columns", toml::table{{"name", columns.name}, {"ra", columns.ra},
                                     {"dec", columns.dec}, {"label", columns.label},
                                     {"ebv", columns.ebv},
                                     {"variability", strings(columns.variability)}});
  toml::array xb, ob, hr, co;
  for (const auto& b : features.xray_bands)
    xb.push_back(toml::table{{"name", b.name}, {"flux_column", b.flux_column},
                             {"error_column", b.error_column}, {"energy_lo_kev", b.energy_lo_kev},
                             {"energy_hi_kev", b.energy_hi_kev}});
  for (const auto& b : features.optical_bands)
    ob.push_back(toml::table{{"name", b.name}, {"mag_column", b.mag_column},
                             {"error_column", b.error_column}, {"zero_point_flux", b.zero_point_flux},
                             {"effective_width", b.effective_width}, {"limit_mag", b.limit_mag},
                             {"extinction_coeff", b.extinction_coeff}});
  for (const auto& h : features.hardness_ratios)
    hr.push_back(toml::table{{"name", h.name}, {"plus", strings(h.plus)},
                             {"minus", strings(h.minus)}, {"denominator", strings(h.denominator)}});
  for (const auto& c : features.colours)
    co.push_back(toml::table{{"name", c.name}, {"blue", c.blue}, {"red", c.red}});
  root.insert("features", toml::table{{"broad_band_name", features.broad_band_name},
                                      {"used", strings(features.used)},
                                      {"location", features.location},
                                      {"random_feature", features.random_feature},
                                      {"xray_bands", xb}, {"optical_bands", ob},
                                      {"hardness_ratios", hr}, {"colours", co}});
  root.insert("monte_carlo", toml::table{{"enabled", monte_carlo.enabled},
                                         {"iterations", monte_carlo.iterations},
                                         {"error_scale", monte_carlo.error_scale}});
  root.insert("reddening", toml::table{{"enabled", reddening.enabled},
                                       {"classes", strings(reddening.classes)},
                                       {"bin_width", reddening.bin_width},
                                       {"nh_per_ebv", reddening.nh_per_ebv},
                                       {"photon_index", reddening.photon_index},
                                       {"absorption_table", reddening.absorption_table}});
  root.insert("smote", toml::table{{"enabled", smote.enabled},
                                   {"k_neighbors", smote.k_neighbors},
                                   {"missing_fill", smote.missing_fill}});
  const auto& p = classifier.forest;
  const auto& g = classifier.gbdt;
  const auto& nb = classifier.nb;
  toml::array categories, priors;
  for (const auto& cat : nb.categories)
    categories.push_back(toml::table{{"name", cat.name}, {"weight", cat.weight},
                                     {"features", strings(cat.features)}});
  for (double v : nb.given_priors) priors.push_back(v);
  root.insert("classifier",
              toml::table{{"classes", strings(classifier.classes)},
                          {"model", classifier.model},
                          {"missing_flag", classifier.missing_flag},
                          {"confidence_threshold", classifier.confidence_threshold},
                          {"outlier_percentile", classifier.outlier_percentile},
                          {"forest", toml::table{{"n_trees", p.n_trees},
                                                 {"max_features", p.max_features},
                                                 {"min_samples_split", p.min_samples_split},
                                                 {"min_samples_leaf", p.min_samples_leaf},
                                                 {"max_depth", p.max_depth},
                                                 {"bootstrap", p.bootstrap},
                                                 {"class_weight_balanced", p.class_weight_balanced},
                                                 {"balanced_bootstrap", p.balanced_bootstrap},
                                                 {"max_bins", p.max_bins}}},
                          {"gbdt", toml::table{{"n_rounds", g.n_rounds},
                                               {"learning_rate", g.learning_rate},
                                               {"max_depth", g.max_depth},
                                               {"min_child_weight", g.min_child_weight},
                                               {"subsample", g.subsample},
                                               {"colsample_bytree", g.colsample_bytree},
                                               {"reg_lambda", g.reg_lambda},
                                               {"max_bin", g.max_bin},
                                               {"balance_classes", g.balance_classes}}},
                          {"nb", toml::table{{"missing", nb.missing},
                                             {"presence_weight", nb.presence_weight},
                                             {"prior", nb.prior},
                                             {"given_priors", priors},
                                             {"bandwidth", nb.bandwidth},
                                             {"bandwidth_factor", nb.bandwidth_factor},
                                             {"density_floor", nb.density_floor},
                                             {"grid_step", nb.grid_step},
                                             {"quality", nb.quality},
                                             {"categories", categories}}}});
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

}  // namespace mwclass
