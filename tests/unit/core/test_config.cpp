#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "mwclass/core/config.hpp"
#include "mwclass/core/error.hpp"
#include "../../test_support.hpp"

using mwclass::Config;

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
  const Config back = Config::from_toml_string(c.to_toml(), "roundtrip");
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
  CHECK(message("[[classifier.nb.categories]]\nname = \"x\"\nweight = -1\nfeatures = [\"Fs\"]\n").find("category 'x' needs weight >= 0") != std::string::npos);
  CHECK(message("[classifier]\nmodel = \"nb\"\n[classifier.nb]\nprior = \"uniform\"\n") == "no error");
  CHECK(message("[classifier.forest]\nbootstrap = false\nbalanced_bootstrap = true\n").find("balanced_bootstrap needs bootstrap = true") != std::string::npos);
}
