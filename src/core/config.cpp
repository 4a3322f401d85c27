#include "mwclass/core/config.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/ranges.h>
#include <toml++/toml.h>

#include "mwclass/core/config_keys.hpp"
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

int Config::class_index(const std::string& name) const {
  const auto& cl = classifier.classes;
  const auto it = std::find(cl.begin(), cl.end(), name);
  return it == cl.end() ? -1 : static_cast<int>(it - cl.begin());
}

// ---------------------------------------------------------------- reading --

namespace {

// A table map's entries are sections named by their keys ([crossmatch.gaia]).
template <class V, typename E>
void each_entry(V& v, std::map<std::string, E>& entries) {
  for (auto& [entry, item] : entries) v.section(entry.c_str(), item, "");
}

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

// Reads the declared keys (config_keys.hpp) of one TOML table into a
// section; keys absent from the table keep their current value.
class ReadVisitor {
 public:
  ReadVisitor(TableReader& table, std::string origin, std::string path)
      : table_(table), origin_(std::move(origin)), path_(std::move(path)) {}

  template <typename T>
  void key(const char* name, T& member, const config_keys::Rule&, const char*, const char*) {
    table_.get(name, member);
  }
  template <typename S>
  void section(const char* name, S& sub, const char*) {
    if (const toml::table* t = table_.subtable(name)) {
      const std::string path = join(name);
      TableReader r(*t, origin_, path);
      ReadVisitor v(r, origin_, path);
      config_keys::visit(v, sub);
      r.reject_unknown();
    }
  }
  template <typename E>
  void table_array(const char* name, std::vector<E>& out, const char*) {
    if (const toml::array* arr = table_.table_array(name)) {
      out.clear();
      for (const auto& el : *arr) {
        const std::string path = fmt::format("[{}] #{}", join(name), out.size() + 1);
        TableReader r(*el.as_table(), origin_, path);
        ReadVisitor v(r, origin_, path);
        E item;
        config_keys::visit(v, item);
        r.reject_unknown();
        out.push_back(std::move(item));
      }
    }
  }
  // Each [<path>.<entry>] table overrides keys of that entry; a table naming
  // no entry stays unseen and is an unknown key of this table.
  template <typename E>
  void table_map(const char*, std::map<std::string, E>& entries, const char*) {
    each_entry(*this, entries);
  }
  void require(bool, const std::string&) {}

 private:
  std::string join(const char* name) const { return path_.empty() ? name : path_ + "." + name; }
  TableReader& table_;
  std::string origin_, path_;
};

// Applies a parsed TOML document on top of `c` (unknown keys are errors).
void apply_toml(Config& c, const toml::table& root, const std::string& origin) {
  TableReader top(root, origin, "");
  ReadVisitor v(top, origin, "");
  config_keys::visit(v, c);
  top.reject_unknown();
}

// Config::validate with the file or --set that made the config named first, so
// that a value out of range points at where it came from.
void validate_from(const Config& c, const std::string& origin) {
  try {
    c.validate();
  } catch (const Error& e) {
    fail("{}: {}", origin, e.what());
  }
}

toml::table parse_toml(const std::string& text, const std::string& origin) {
  try {
    return toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    fail("{}:{}:{}: {}", origin, e.source().begin.line, e.source().begin.column, e.description());
  }
}

}  // namespace

Config Config::from_toml_string(const std::string& text, const std::string& origin) {
  Config c = defaults();
  apply_toml(c, parse_toml(text, origin), origin);
  validate_from(c, origin);
  return c;
}

namespace {

// One "section.key=value" applied to c without validation; errors name the option.
void assign(Config& c, const std::string& assignment) {
  const auto eq = assignment.find('=');
  const std::string origin = fmt::format("--set {}", assignment);
  if (eq == std::string::npos || eq == 0)
    fail("{}: expected section.key=value (keys: `mwclass config --keys`)", origin);
  const std::string key = assignment.substr(0, eq), value = assignment.substr(eq + 1);
  for (char ch : key)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.'))
      fail("{}: '{}' is not a key (keys: `mwclass config --keys`)", origin, key);
  // The value in TOML syntax (5, 0.3, true, [1, 2], "text"); a bare word is a string.
  toml::table doc;
  try {
    doc = toml::parse(key + " = " + value);
  } catch (const toml::parse_error&) {
    toml::table quoted;
    quoted.insert("v", value);
    std::ostringstream s;
    s << quoted;
    doc = parse_toml(key + " = " + s.str().substr(s.str().find('=') + 2), origin);
  }
  apply_toml(c, doc, origin);
}

}  // namespace

void Config::set(const std::string& assignment) {
  assign(*this, assignment);
  validate_from(*this, fmt::format("--set {}", assignment));
}

void Config::set_all(const std::vector<std::string>& assignments) {
  if (assignments.empty()) return;
  for (const auto& a : assignments) assign(*this, a);
  validate_from(*this, fmt::format("--set {}", fmt::join(assignments, " --set ")));
}

Config Config::from_toml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("cannot read config file '{}'", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return from_toml_string(ss.str(), path);
}

// ------------------------------------------------------------- validation --

namespace {

// Checks every declared key's rule and the sections' cross-key conditions;
// the first failure is an Error "<prefix><path> must be <rule> (got <value>)".
class ValidateVisitor {
 public:
  explicit ValidateVisitor(std::string prefix, std::string path = "")
      : prefix_(std::move(prefix)), path_(std::move(path)) {}

  template <typename T>
  void key(const char* name, const T& member, const config_keys::Rule& rule, const char*, const char*) {
    if constexpr (std::is_same_v<T, std::vector<double>>) {
      for (double x : member) check_number(name, x, rule);
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!rule.allows(member))
        fail("{}{} must be {} (got \"{}\")", prefix_, join(name), rule.text(), member);
    } else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
      check_number(name, static_cast<double>(member), rule);
    }
  }
  template <typename S>
  void section(const char* name, S& sub, const char*) {
    ValidateVisitor v(prefix_, join(name));
    config_keys::visit(v, sub);
  }
  template <typename E>
  void table_array(const char* name, std::vector<E>& items, const char*) {
    for (std::size_t i = 0; i < items.size(); ++i) {  // entries numbered from 1, as in TOML order
      ValidateVisitor v(prefix_, fmt::format("{}[{}]", join(name), i + 1));
      config_keys::visit(v, items[i]);
    }
  }
  template <typename E>
  void table_map(const char*, std::map<std::string, E>& entries, const char*) {
    each_entry(*this, entries);
  }
  void require(bool ok, const std::string& message) {
    if (!ok) fail("{}{}{}", prefix_, path_.empty() ? "" : path_ + ": ", message);
  }

 private:
  void check_number(const char* name, double x, const config_keys::Rule& rule) const {
    if (!std::isfinite(x)) fail("{}{} must be a finite number (got {})", prefix_, join(name), x);
    if (!rule.allows(x)) fail("{}{} must be {} (got {})", prefix_, join(name), rule.text(), x);
  }
  std::string join(const char* name) const { return path_.empty() ? name : path_ + "." + name; }
  std::string prefix_, path_;
};

}  // namespace

namespace config_keys {

bool Rule::allows(double v) const {
  if (zero_allowed && v == 0) return true;
  return (lo_open ? v > lo : v >= lo) && (hi_open ? v < hi : v <= hi);
}

bool Rule::allows(const std::string& v) const {
  return choices.empty() || std::find(choices.begin(), choices.end(), v) != choices.end();
}

std::string Rule::text() const {
  if (!choices.empty()) {
    std::string t;
    for (std::size_t i = 0; i < choices.size(); ++i)
      t += fmt::format("{}\"{}\"", i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ", choices[i]);
    return t;
  }
  const bool has_lo = std::isfinite(lo), has_hi = std::isfinite(hi);
  std::string range;
  if (has_lo && has_hi)
    range = fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
  else if (has_lo)
    range = fmt::format("{} {}", lo_open ? ">" : ">=", lo);
  else if (has_hi)
    range = fmt::format("{} {}", hi_open ? "<" : "<=", hi);
  return zero_allowed ? "0 or " + range : range;
}

void check_section(const ForestParams& p, const std::string& prefix) {
  ValidateVisitor v(prefix);
  visit(v, const_cast<ForestParams&>(p));  // the validator only reads
}

void check_section(const GradientBoostingParams& p, const std::string& prefix) {
  ValidateVisitor v(prefix);
  visit(v, const_cast<GradientBoostingParams&>(p));  // the validator only reads
}

}  // namespace config_keys

void Config::validate() const {
  ValidateVisitor keys("invalid configuration: ");
  config_keys::visit(keys, const_cast<Config&>(*this));  // the validator only reads
  auto require = [](bool ok, const char* what) {
    if (!ok) fail("invalid configuration: {}", what);
  };
  const auto& nb = classifier.nb;
  if (nb.prior == "given" && nb.given_priors.size() != classifier.classes.size())
    fail("invalid configuration: classifier.nb.given_priors has {} values, classifier.classes has {} classes",
         nb.given_priors.size(), classifier.classes.size());
  require(classifier.classes.size() >= 2, "classifier.classes needs at least two classes");
  for (const auto* prior : {&calibration.given_prior, &calibration.training_prior}) {
    if (prior->empty()) continue;
    const char* key = prior == &calibration.given_prior ? "given_prior" : "training_prior";
    if (prior->size() != classifier.classes.size())
      fail("invalid configuration: calibration.{} has {} values, classifier.classes has {} classes", key,
           prior->size(), classifier.classes.size());
    double sum = 0;
    for (double p : *prior) sum += p;
    if (std::abs(sum - 1.0) > 0.01)
      fail("invalid configuration: calibration.{} sums to {:.6g} (class fractions must sum to 1 within 0.01; they "
           "are then normalised)",
           key, sum);
  }
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
  }
  add_name("F" + features.broad_band_name, "broad band");
  for (const auto& b : features.optical_bands) {
    optical.insert(b.name);
    add_name(b.name, "features.optical_bands entry");
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
  if (oversampling.method == "physical" && oversampling.class_photon_index.size() != classifier.classes.size())
    fail("invalid configuration: oversampling.class_photon_index has {} values, classifier.classes has {} classes",
         oversampling.class_photon_index.size(), classifier.classes.size());
}

// ---------------------------------------------------------------- writing --

namespace {

// Writes the declared keys of a section into a TOML table.
class WriteVisitor {
 public:
  explicit WriteVisitor(toml::table& out) : out_(out) {}

  template <typename T>
  void key(const char* name, const T& member, const config_keys::Rule&, const char*, const char*) {
    out_.insert(name, to_node(member));
  }
  template <typename S>
  void section(const char* name, S& sub, const char*) {
    toml::table t;
    WriteVisitor v(t);
    config_keys::visit(v, sub);
    out_.insert(name, std::move(t));
  }
  template <typename E>
  void table_array(const char* name, std::vector<E>& items, const char*) {
    toml::array a;
    for (auto& item : items) {
      toml::table t;
      WriteVisitor v(t);
      config_keys::visit(v, item);
      a.push_back(std::move(t));
    }
    out_.insert(name, std::move(a));
  }
  template <typename E>
  void table_map(const char*, std::map<std::string, E>& entries, const char*) {
    each_entry(*this, entries);
  }
  void require(bool, const std::string&) {}

  template <typename T>
  static auto to_node(const T& v) {
    if constexpr (std::is_same_v<T, std::vector<std::string>> || std::is_same_v<T, std::vector<double>>) {
      toml::array a;
      for (const auto& x : v) a.push_back(x);
      return a;
    } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::string> ||
                         std::is_floating_point_v<T>) {
      return toml::value<T>(v);
    } else {
      return toml::value<int64_t>(static_cast<int64_t>(v));
    }
  }

 private:
  toml::table& out_;
};

const char* type_name(const bool*) { return "boolean"; }
const char* type_name(const std::string*) { return "string"; }
const char* type_name(const double*) { return "number"; }
const char* type_name(const std::vector<double>*) { return "array of numbers"; }
const char* type_name(const std::vector<std::string>*) { return "array of strings"; }
template <typename T>
const char* type_name(const T*) { return "integer"; }

// Lists the declared keys with their default values.
class ListVisitor {
 public:
  ListVisitor(std::vector<config_keys::KeyInfo>& out, std::string path, bool defaults)
      : out_(out), path_(std::move(path)), defaults_(defaults) {}

  template <typename T>
  void key(const char* name, const T& member, const config_keys::Rule& rule, const char* unit,
           const char* description) {
    std::string value;
    if (defaults_) {
      std::ostringstream s;
      if constexpr (std::is_floating_point_v<T>)
        s << fmt::format("{}", member);  // shortest form (0.025, not 0.025000000000000001)
      else
        s << WriteVisitor::to_node(member);
      for (char ch : s.str())  // arrays print on several lines: one line here
        if (!(std::isspace(static_cast<unsigned char>(ch)) && (value.empty() || value.back() == ' ')))
          value += std::isspace(static_cast<unsigned char>(ch)) ? ' ' : ch;
    }
    out_.push_back({join(name), type_name(&member), value, rule.text(), unit, description});
  }
  template <typename S>
  void section(const char* name, S& sub, const char*) {
    ListVisitor v(out_, join(name), defaults_);
    config_keys::visit(v, sub);
  }
  template <typename E>
  void table_array(const char* name, std::vector<E>& items, const char* description) {
    out_.push_back({join(name), "array of tables", fmt::format("{} entries", items.size()), "", "", description});
    ListVisitor v(out_, join(name) + "[]", false);
    E element;
    config_keys::visit(v, element);
  }
  // A header line "<path>.<catalog>" naming the entries, then every entry's
  // keys with their defaults ("crossmatch.gaia.ra").
  template <typename E>
  void table_map(const char* name, std::map<std::string, E>& entries, const char* description) {
    std::string names;
    for (const auto& [entry, item] : entries) names += (names.empty() ? "" : ", ") + entry;
    out_.push_back({join(name), "tables", names, "", "", description});
    each_entry(*this, entries);
  }
  void require(bool, const std::string&) {}

 private:
  std::string join(const char* name) const { return path_.empty() ? name : path_ + "." + name; }
  std::vector<config_keys::KeyInfo>& out_;
  std::string path_;
  bool defaults_;
};

}  // namespace

std::vector<config_keys::KeyInfo> config_keys::list_keys() {
  Config c = Config::defaults();
  std::vector<KeyInfo> out;
  ListVisitor v(out, "", true);
  visit(v, c);
  return out;
}

std::string Config::to_toml() const {
  toml::table root;
  WriteVisitor v(root);
  config_keys::visit(v, const_cast<Config&>(*this));  // the writer only reads
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

}  // namespace mwclass
