#pragma once
// Control of a long run from outside: SIGTERM, SIGINT and SIGUSR1 (what
// Slurm's `--signal` and Open MPI's mpirun forward) ask the run to stop at the
// next work-item boundary, after checkpointing what is finished.
#include <atomic>
#include <cstdint>
#include <string>

namespace mwclass {

// Exit code of a run stopped by a signal, resumable with --resume (EX_TEMPFAIL).
inline constexpr int kExitInterrupted = 75;

void install_stop_handlers();
const std::atomic<bool>& stop_requested();

// Environment variable naming a stop file: once that file exists, the run
// stops as on a signal. Batch scripts use it for a stop request that may come
// before the ranks have started (a signal then would be lost or fatal).
inline constexpr const char* kStopFileVariable = "MWCLASS_STOP_FILE";

// A signal came, or the stop file (if any) exists; the file is looked at no
// more than once a second.
bool stop_now();

// 64-bit FNV-1a of bytes and of a file's contents (for resume fingerprints).
std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t hash = 0xcbf29ce484222325ULL);
std::uint64_t hash_file(const std::string& path);

}  // namespace mwclass
