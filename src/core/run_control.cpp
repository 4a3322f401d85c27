#include "mwclass/core/run_control.hpp"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <vector>

#include <sys/stat.h>

#include "mwclass/core/error.hpp"

namespace mwclass {

namespace {
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

// The first signal asks for a clean stop; a second one ends the process at once.
extern "C" void on_stop_signal(int sig) {
  if (g_stop.exchange(true)) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
  }
}
}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaction(sig, &action, nullptr);
}

const std::atomic<bool>& stop_requested() { return g_stop; }

bool stop_now() {
  if (g_stop.load()) return true;
  static const char* file = std::getenv(kStopFileVariable);
  if (file == nullptr || *file == '\0') return false;
  using clock = std::chrono::steady_clock;
  static clock::time_point next_look{};
  const auto now = clock::now();
  if (now < next_look) return false;
  next_look = now + std::chrono::seconds(1);
  struct stat info {};
  if (::stat(file, &info) == 0) g_stop.store(true);
  return g_stop.load();
}

std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t hash) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) {
    hash ^= p[i];
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t hash_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read '{}'", path);
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hash = fnv1a(buffer.data(), static_cast<std::size_t>(in.gcount()), hash);
  }
  return hash;
}

}  // namespace mwclass
