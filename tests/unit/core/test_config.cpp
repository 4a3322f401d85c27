#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include <functional>
#include <set>

#include <toml++/toml.h>

#include "mwclass/core/config.hpp"
#include "mwclass/core/config_keys.hpp"
#include "mwclass/core/error.hpp"
#include "../../test_support.hpp"

using mwclass::Config;
using mwclass::Error;
namespace config_keys = mwclass::config_keys;

TEST_CASE("defaults are the MUWCLASS CSCv2 setup with 29 features") {
  const Config c = Config::defaults();
  CHECK(c.features.used.size() == 29);
  CHECK(c.classifier.classes.size() == 8);
  CHECK(c.monte_carlo.error_scale == doctest::Approx(std::sqrt(2.0)));
  CHECK(c.reddening.bin_width == 0.025);
  CHECK(c.classifier.forest.n_trees == 100);
  CHECK_NOTHROW(c.validate());
}

TEST_CASE("the resolved config round-trips through TOML") {
  Config c = Config::defaults();
  c.seed = 99;
  c.monte_carlo.iterations = 17;
  c.features.used = {"Fs", "HR_ms", "G-BP"};
  c.aggregate.max_theta = 7.5;
  c.selection.drop_extent_flag = true;
  c.crossmatch.catalogs.at("unwise").pu_columns = {"e_XposW1"};
  const Config back = Config::from_toml_string(c.to_toml(), "roundtrip");
  CHECK(back.aggregate.max_theta == 7.5);
  CHECK(back.selection.drop_extent_flag);
  CHECK(back.crossmatch.catalogs.at("unwise").pu_columns == std::vector<std::string>{"e_XposW1"});
  CHECK(back.crossmatch.catalogs.at("gaia").pu_scale == c.crossmatch.catalogs.at("gaia").pu_scale);
  CHECK(back.seed == 99);
  CHECK(back.monte_carlo.iterations == 17);
  CHECK(back.features.used == c.features.used);
  CHECK(back.features.optical_bands[3].zero_point_flux == c.features.optical_bands[3].zero_point_flux);
  CHECK(back.to_toml() == c.to_toml());
}

TEST_CASE("the shipped config equals the built-in defaults") {
  const std::string path = std::string(MWCLASS_SOURCE_DIR) + "/configs/muwclass_cscv2.toml";
  const Config file = Config::from_toml_file(path);
  CHECK(file.to_toml() == Config::defaults().to_toml());
}

TEST_CASE("config errors name the file and key") {
  auto message = [](const std::string& text) {
    try {
      Config::from_toml_string(text, "my.toml");
    } catch (const mwclass::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("[monte_carlo]\niteratons = 5\n").find("my.toml: [monte_carlo] iteratons: unknown key") != std::string::npos);
  CHECK(message("[monte_carlo]\niterations = \"five\"\n").find("expected an integer") != std::string::npos);
  CHECK(message("[monte_carlo]\niterations = 0\n").find("monte_carlo.iterations must be >= 1") != std::string::npos);
  CHECK(message("[features]\nused = [\"Fs\", \"Nope\"]\n").find("unknown feature 'Nope'") != std::string::npos);
  CHECK(message("seed = = 1\n").find("my.toml:1:") != std::string::npos);
  CHECK(message("[reddening]\nclasses = [\"QSO\"]\n").find("unknown class 'QSO'") != std::string::npos);
  // Learner selection and the gbdt / nb sections.
  CHECK(message("[classifier.gbdt]\nsubsample = 1.5\n").find("classifier.gbdt.subsample must be in (0, 1]") != std::string::npos);
  CHECK(message("[classifier.gbdt]\nrounds = 5\n").find("my.toml: [classifier.gbdt] rounds: unknown key") != std::string::npos);
  CHECK(message("[classifier.nb]\nmissing = \"drop\"\n").find("classifier.nb.missing must be \"skip\" or \"presence\"") != std::string::npos);
  CHECK(message("[classifier.nb]\nprior = \"given\"\ngiven_priors = [0.5, 0.5]\n").find("given_priors has 2 values, classifier.classes has 8 classes") != std::string::npos);
  CHECK(message("[[classifier.nb.categories]]\nname = \"x\"\nfeatures = [\"Fs\", \"Gmag\"]\n").find("classifier.nb category 'x' names unknown feature 'Gmag'") != std::string::npos);
  CHECK(message("[[classifier.nb.categories]]\nname = \"x\"\nfeatures = [\"Fs\"]\n[[classifier.nb.categories]]\nname = \"y\"\nfeatures = [\"Fs\"]\n").find("feature 'Fs' is in two classifier.nb categories") != std::string::npos);
  CHECK(message("[[classifier.nb.categories]]\nname = \"x\"\nweight = -1\nfeatures = [\"Fs\"]\n").find("classifier.nb.categories[1].weight must be >= 0 (got -1)") != std::string::npos);
  CHECK(message("[classifier]\nmodel = \"nb\"\n[classifier.nb]\nprior = \"uniform\"\n") == "no error");
  CHECK(message("[classifier.forest]\nbootstrap = false\nbalanced_bootstrap = true\n").find("balanced_bootstrap needs bootstrap = true") != std::string::npos);
}

TEST_CASE("config: --set section.key=value applies one declared key and validates it") {
  Config c = Config::defaults();
  c.set("classifier.forest.n_trees=17");
  CHECK(c.classifier.forest.n_trees == 17);
  c.set("classifier.model=gbdt");  // a bare word is a string
  CHECK(c.classifier.model == "gbdt");
  c.set("reddening.classes=[\"AGN\", \"YSO\"]");
  CHECK(c.reddening.classes == std::vector<std::string>{"AGN", "YSO"});
  c.set("seed=5");
  CHECK(c.seed == 5);
  c.set("monte_carlo.error_scale=1.5");
  CHECK(c.monte_carlo.error_scale == 1.5);
  auto message = [&](const std::string& a) {
    try {
      Config d = Config::defaults();
      d.set(a);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message("classifier.forest.n_tree=5").find("--set classifier.forest.n_tree=5: [classifier.forest] n_tree: unknown key") != std::string::npos);
  CHECK(message("classifier.forest.n_trees=0").find("classifier.forest.n_trees must be >= 1 (got 0)") != std::string::npos);
  CHECK(message("classifier.forest.n_trees=many").find("expected an integer") != std::string::npos);
  CHECK(message("n_trees").find("expected section.key=value") != std::string::npos);
  CHECK(message("classifier.nb.missing=drop").find("classifier.nb.missing must be \"skip\" or \"presence\" (got \"drop\")") != std::string::npos);
}

TEST_CASE("config: every key is declared once — the key list and the written TOML agree") {
  // Keys of the TOML the writer makes (table arrays: the keys of their first entry).
  std::set<std::string> written;
  std::function<void(const toml::table&, const std::string&)> walk = [&](const toml::table& t, const std::string& path) {
    for (const auto& [k, v] : t) {
      const std::string p = path.empty() ? std::string(k.str()) : path + "." + std::string(k.str());
      if (v.is_table()) {
        walk(*v.as_table(), p);
      } else if (v.is_array_of_tables()) {
        written.insert(p);
        walk(*v.as_array()->front().as_table(), p + "[]");
      } else {
        written.insert(p);
      }
    }
  };
  walk(toml::parse(Config::defaults().to_toml()), "");
  std::set<std::string> listed, maps;
  for (const auto& k : config_keys::list_keys()) {
    CHECK_MESSAGE(!k.description.empty(), k.path);
    if (k.type == "tables") {  // a table map's header line; its entries' keys follow
      maps.insert(k.path);
      CHECK(k.default_value == "2mass, allwise, catwise, gaia, unwise");
      continue;
    }
    CHECK_MESSAGE(listed.insert(k.path).second, "listed twice: " << k.path);
  }
  CHECK(listed == written);
  CHECK(maps == std::set<std::string>{"crossmatch.<catalog>"});
  CHECK(listed.count("classifier.forest.max_bins"));
  CHECK(listed.count("aggregate.xmm_variability_column"));
  CHECK(listed.count("selection.drop_extent_flag"));
  CHECK(listed.count("crossmatch.label_column"));
  for (const char* catalog : {"gaia", "2mass", "allwise", "catwise", "unwise"})
    for (const char* key : {"ra", "dec", "pu_columns", "pu_scale", "values"})
      CHECK_MESSAGE(listed.count(std::string("crossmatch.") + catalog + "." + key), catalog << "." << key);
  CHECK(listed.size() > 70 + 29 + 6 + 13 + 25);
  // Every default passes its own rule (the validator uses the same declarations).
  CHECK_NOTHROW(Config::defaults().validate());
  CHECK(config_keys::Rule::zero_or_in(2, 65536).text() == "0 or in [2, 65536]");
  CHECK(config_keys::Rule::in_open_closed(0, 1).text() == "in (0, 1]");
  CHECK(config_keys::Rule::one_of({"a", "b", "c"}).text() == "\"a\", \"b\" or \"c\"");
  CHECK(config_keys::Rule::zero_or_in(2, 65536).allows(0.0));
  CHECK_FALSE(config_keys::Rule::zero_or_in(2, 65536).allows(1.0));
}

TEST_CASE("the full-catalog preset loads and sets what it says (issue 18)") {
  const std::string path = std::string(MWCLASS_SOURCE_DIR) + "/configs/full_catalog.toml";
  const Config c = Config::from_toml_file(path);
  CHECK(c.reddening.binning == "adaptive");
  CHECK(c.reddening.adaptive_tolerance > 0);
  CHECK(c.classifier.forest.max_bins == 64);
  CHECK(c.monte_carlo.iterations == 1000);
  // Everything else stays the built-in default (the MUWCLASS 2022 choices).
  Config expected = Config::defaults();
  expected.reddening.binning = c.reddening.binning;
  expected.reddening.adaptive_tolerance = c.reddening.adaptive_tolerance;
  expected.classifier.forest.max_bins = c.classifier.forest.max_bins;
  CHECK(c.to_toml() == expected.to_toml());
  CHECK_THROWS_WITH_AS(Config::from_toml_string("[reddening]\nbinning = \"smart\"\n", "my.toml"),
                       doctest::Contains("binning"), mwclass::Error);
}
