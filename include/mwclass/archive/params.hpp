#pragma once
// Parameters of the archive stage (issue 15): the [aggregate], [selection] and
// [crossmatch] sections of the central configuration. The structs, with their
// defaults (the MUWCLASS 2022 choices), are in core/archive_params.hpp; every
// key's range, unit and meaning is declared once in core/config_keys.hpp, and
// Config reads, writes, validates and lists them (`mwclass config --keys`,
// `--set aggregate.max_theta=8`).
#include "mwclass/core/archive_params.hpp"
#include "mwclass/core/config.hpp"

namespace mwclass::archive {

using ::mwclass::AggregateParams;
using ::mwclass::CatalogColumns;
using ::mwclass::CrossmatchParams;
using ::mwclass::SelectionParams;

// The archive sections of one configuration, as the stages take them.
struct ArchiveParams {
  AggregateParams aggregate;
  SelectionParams selection;
  CrossmatchParams crossmatch;

  ArchiveParams() = default;
  explicit ArchiveParams(const Config& c)
      : aggregate(c.aggregate), selection(c.selection), crossmatch(c.crossmatch) {}
};

}  // namespace mwclass::archive
