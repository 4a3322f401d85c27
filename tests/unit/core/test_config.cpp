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
}
