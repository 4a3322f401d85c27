// `mwclass crossmatch`: master X-ray table + local counterpart tables ->
// classify-ready field table (src/archive, docs/archive.md).
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "mwclass/archive/aggregate.hpp"
#include "mwclass/archive/crossmatch.hpp"
#include "mwclass/archive/params.hpp"
#include "mwclass/archive/table.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::app {

void print_archive_report(const char* command, const archive::Report& report);  // aggregate.cpp

Runner add_crossmatch(CLI::App& app) {
  struct Options {
    std::string xray, out, labels;
    ConfigOptions config;
    std::vector<std::string> catalogs;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Find for every X-ray source of a master table (from `mwclass aggregate`) the nearest and "
      "second-nearest candidate within 10\" in local Gaia DR3, 2MASS, AllWISE, CatWISE2020 and "
      "unWISE tables (a HEALPix index; separations computed from the positions), the combined "
      "positional uncertainty X_PU = sqrt(r0^2 + PU_cat^2 + (2 Plx)^2 + (2 e_Plx)^2 + "
      "(2 epsi)^2) and the match flag (0 clean, 2 with a competitor within 1.5 X_PU, -4 only "
      "within 1.5 X_PU, -8 none). Counterparts with flag >= 0 give Gmag ... e_W3mag, Plx, "
      "e_Plx, PM (W1/W2 from AllWISE, else CatWISE2020, else unWISE) under the training set's "
      "names, so that `classify --field OUT` runs with the default config. Without any "
      "--catalog the X-ray table passes through with empty magnitudes. Column names: VizieR's, "
      "also with a _<catalog> suffix; [crossmatch] of the configuration (--config, --set) "
      "overrides them.");
  app.add_option("--xray", o->xray, "Master X-ray table (CSV, from `mwclass aggregate`)")
      ->required()->check(ExistingCatalog);
  app.add_option("--catalog", o->catalogs,
                 "NAME=FILE, NAME one of gaia, 2mass, allwise, catwise, unwise; FILE a CSV/TSV of "
                 "all catalog sources in the area or of nearest candidates (repeatable)");
  app.add_option("--out", o->out, "Field table to write (CSV; written atomically)")->required();
  o->config.add_file_options(
      app,
      "TOML configuration: this command reads [crossmatch] and the [crossmatch.<catalog>] "
      "column names (a file may carry every section; configs/archive.toml lists these keys at "
      "their defaults); default: the MUWCLASS 2022 values",
      "--set crossmatch.pu_factor=2 --set crossmatch.gaia.ra=RAdeg");
  app.add_option("--labels", o->labels,
                 "CSV with a label column joined by name ([crossmatch] label_name_column, "
                 "label_column) to build a training table; unlabelled sources are dropped")
      ->check(ExistingCatalog);
  return [o](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    const Config config = o->config.resolve_local();
    const archive::ArchiveParams p(config);
    using clock = std::chrono::steady_clock;
    auto seconds = [](clock::time_point a, clock::time_point b) {
      return std::chrono::duration<double>(b - a).count();
    };
    const auto t0 = clock::now();
    std::vector<archive::CounterpartCatalog> catalogs;
    for (const auto& spec : o->catalogs) {
      const auto eq = spec.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
        fail("--catalog '{}': expected NAME=FILE (NAME: gaia, 2mass, allwise, catwise, unwise)",
             spec);
      const std::string name = spec.substr(0, eq), path = spec.substr(eq + 1);
      auto it = p.crossmatch.catalogs.find(name);
      if (it == p.crossmatch.catalogs.end())
        fail("--catalog '{}': unknown catalog '{}' (gaia, 2mass, allwise, catwise, unwise)", spec,
             name);
      std::fprintf(stderr, "crossmatch: reading %s catalog %s\n", name.c_str(), path.c_str());
      catalogs.push_back(archive::read_counterpart_catalog(name, path, it->second));
    }
    const archive::ArchiveTable xray = archive::read_archive_table(o->xray);
    if (xray.size() == 0) fail("{}: the X-ray table has a header but no sources", o->xray);
    archive::Report report;
    const auto t1 = clock::now();
    archive::TextTable field = archive::crossmatch(xray, catalogs, p.crossmatch, report);
    const auto t2 = clock::now();
    if (!o->labels.empty())
      archive::join_labels(field, p.crossmatch.xray_name, o->labels,
                           p.crossmatch.label_name_column, p.crossmatch.label_column, report);
    if (field.rows.empty()) fail("no source left to write (see the counts above)");
    print_archive_report("crossmatch", report);
    add_ebv_column(o->out, field.header, field.rows, config);
    archive::publish_csv(o->out, field.header, field.rows);
    std::fprintf(stderr,
                 "crossmatch: wrote %zu sources to %s (read %.2f s, index and match %.2f s, "
                 "write %.2f s)\n",
                 field.rows.size(), o->out.c_str(), seconds(t0, t1), seconds(t1, t2),
                 seconds(t2, clock::now()));
    return 0;
  };
}

}  // namespace mwclass::app
