// `mwclass aggregate`: a CSC (or 4XMM) per-detection table -> one row of
// master-level MUWCLASS features per source (src/archive, docs/archive.md).
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "common.hpp"
#include "mwclass/archive/aggregate.hpp"
#include "mwclass/archive/params.hpp"
#include "mwclass/archive/table.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/parallel/communicator.hpp"

namespace mwclass::app {

void print_archive_report(const char* command, const archive::Report& report) {
  for (const auto& [what, count] : report)
    std::fprintf(stderr, "%s: %-72s %zu\n", command, what.c_str(), count);
}

Runner add_aggregate(CLI::App& app) {
  struct Options {
    std::string detections, out, labels;
    ConfigOptions config;
    bool xmm = false;
    std::optional<double> gamma;
  };
  auto o = std::make_shared<Options>();
  app.description(
      "Combine a Chandra Source Catalog per-detection table (master_source x observation_source "
      "join, as the CSC CLI returns it: tab-separated with '#' comments, or re-saved as CSV "
      "with '.1' on the per-observation twins of master columns) into one row per source "
      "with the training set's columns (CSCv2_name, CSCv2_RA, CSCv2_DEC, CSCv2_PU, CSCv2_S/N, "
      "Fs/e_Fs ... Fb/e_Fb, P_intra, P_inter, CSC_flags, flux_flag, nh_gal, powlaw_gamma, "
      "n_detections). Detections are dropped for HRC, theta > 10', per-observation saturation "
      "or streak flags, pileup_warning > 0.3, or a detection claimed by several sources; a "
      "detection listed once per stack counts once. Band fluxes are the inverse-variance means "
      "of the split-normal (Fechner) moments; a band without any measurement becomes the "
      "moments of (0, 0, 1e-17) with a flux_flag bit (s 1, m 2, h 4). P_inter is the chi-square "
      "CDF of a constant fitted to the per-detection broad-band fluxes. Every threshold is in "
      "[aggregate] / [selection] of the configuration (--config, --set; `mwclass config --keys`; "
      "docs/archive.md). Every dropped row or source is "
      "counted on stderr.");
  app.add_option("--detections", o->detections,
                 "Per-detection table (CSV or TSV; FITS once issue 16 lands)")
      ->required()->check(ExistingCatalog);
  app.add_option("--out", o->out, "Master table to write (CSV; written atomically)")->required();
  o->config.add_file_options(
      app,
      "TOML configuration: this command reads [aggregate], [selection] and the --labels "
      "columns of [crossmatch] (a file may carry every section; configs/archive.toml lists "
      "these keys at their defaults); default: the MUWCLASS 2022 values",
      "--set aggregate.max_theta=8 --set selection.min_significance=3");
  app.add_flag("--xmm", o->xmm,
               "The table is a 4XMM per-detection table: EP_2..EP_5 fluxes converted to the CSC "
               "bands for a power law ([aggregate] xmm = true)");
  app.add_option("--xmm-gamma", o->gamma,
                 "Photon index of the XMM band conversion (default 2, [aggregate] "
                 "xmm_photon_index)");
  app.add_option("--labels", o->labels,
                 "CSV with a label column joined by name ([crossmatch] label_name_column, "
                 "label_column; default CSCv2_name, True_Class) to build a training table; "
                 "unlabelled sources are dropped")
      ->check(ExistingCatalog);
  return [o](parallel::Communicator& comm) {
    if (!comm.is_root()) return 0;
    Config c = o->config.resolve_local();
    if (o->xmm) c.aggregate.xmm = true;
    if (o->gamma) c.aggregate.xmm_photon_index = *o->gamma;
    const archive::ArchiveParams p(c);
    std::fprintf(stderr, "aggregate: reading %s\n", o->detections.c_str());
    const archive::ArchiveTable table = archive::read_archive_table(o->detections);
    archive::Report report;
    archive::TextTable master = archive::aggregate(table, p, report);
    if (!o->labels.empty())
      archive::join_labels(master, "CSCv2_name", o->labels, p.crossmatch.label_name_column,
                           p.crossmatch.label_column, report);
    if (master.rows.empty()) fail("{}: no source left after the cuts (see the counts above)",
                                  o->detections);
    print_archive_report("aggregate", report);
    add_ebv_column(o->out, master.header, master.rows, c);
    archive::publish_csv(o->out, master.header, master.rows);
    std::fprintf(stderr, "aggregate: wrote %zu sources to %s\n", master.rows.size(), o->out.c_str());
    return 0;
  };
}

}  // namespace mwclass::app
