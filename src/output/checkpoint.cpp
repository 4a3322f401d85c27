#include "mwclass/output/checkpoint.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "mwclass/core/atomic_file.hpp"
#include "mwclass/core/bytes.hpp"
#include "mwclass/core/error.hpp"
#include "mwclass/ensemble/assemble.hpp"

namespace mwclass::output {

namespace fs = std::filesystem;

namespace {
// Item files start with kMagic + format number - 1 (ensemble/assemble.hpp).
constexpr std::uint64_t kMagic = 0x31746b63776d0a00ULL;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first line where two fingerprints differ (for the refusal message).
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream x(a), y(b);
  std::string la, lb;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(x, la)), gb = static_cast<bool>(std::getline(y, lb));
    if (!ga && !gb) return "";
    if (!ga || !gb || la != lb) return fmt::format("checkpoint: '{}', now: '{}'", ga ? la : "", gb ? lb : "");
  }
}
// The text a lock holder writes into its lock file (one line).
std::string holder_text(const std::string& command) {
  char host[256] = "unknown host";
  ::gethostname(host, sizeof host - 1);
  host[sizeof host - 1] = '\0';
  const std::time_t t = std::time(nullptr);
  char started[32];
  std::strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return fmt::format("pid {} on host {}, started {}: {}\n", static_cast<long>(::getpid()), host, started, command);
}

// What the holder of a lock wrote into it. A holder that has just taken the
// lock may not have written yet: wait for it a little.
std::string read_holder(int fd) {
  for (int attempt = 0; attempt < 40; ++attempt) {
    char buffer[4096];
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, 0);
    std::string text = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    if (!text.empty()) return text;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return "it has not said who it is";
}

bool same_file(int fd, const std::string& path) {
  struct stat opened {}, named {};
  return ::fstat(fd, &opened) == 0 && ::stat(path.c_str(), &named) == 0 && opened.st_dev == named.st_dev &&
         opened.st_ino == named.st_ino;
}
}  // namespace

std::string OutputLock::file_of(const std::string& out_path) { return out_path + ".lock"; }

OutputLock::OutputLock(const std::string& out_path, const std::string& command) : path_(file_of(out_path)) {
  for (int attempt = 0;; ++attempt) {
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot create the lock file '{}' of '{}': {}", path_, out_path, std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err == EWOULDBLOCK) {
        const std::string holder = read_holder(fd);
        ::close(fd);
        fail("'{}' is being written by another mwclass run ({}); wait until it ends, or stop it, before "
             "starting another run on the same output (lock file '{}')",
             out_path, holder, path_);
      }
      ::close(fd);
      if (err == EINTR) continue;
      fmt::print(stderr, "mwclass: warning: cannot lock '{}': {}; this file system does not keep a second "
                 "run off '{}' (docs/cluster.md)\n", path_, std::strerror(err), out_path);
      path_.clear();
      return;
    }
    // The previous holder may have unlinked the file between our open and
    // our flock: then we hold a lock on a file nobody else will see.
    if (same_file(fd, path_)) {
      fd_ = fd;
      break;
    }
    ::close(fd);
    if (attempt == 100) fail("cannot lock '{}': it keeps being replaced by other runs", path_);
  }
  const std::string text = holder_text(command);
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    ::unlink(path_.c_str());
    ::close(fd_);
    fd_ = -1;
    fail("cannot write the lock file '{}': {}", file_of(out_path), std::strerror(err));
  }
}

OutputLock::~OutputLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still holding the lock (see the header)
  ::close(fd_);
  fd_ = -1;
}

std::string Checkpoint::directory_of(const std::string& out_path) { return out_path + ".checkpoint"; }

void Checkpoint::discard(const std::string& out_path) {
  std::error_code ignored;  // a leftover is reported by the next run that meets it
  fs::remove_all(directory_of(out_path), ignored);
}

Checkpoint::Checkpoint(const std::string& out_path, const std::string& fingerprint, bool resume)
    : dir_(directory_of(out_path)) {
  const fs::path fp = fs::path(dir_) / "fingerprint.txt";
  std::error_code ec;
  if (fs::exists(dir_, ec)) {
    if (!resume)
      fail("'{}' holds the checkpoint of an unfinished run for '{}': add --resume to continue it, "
           "or delete the directory to start again",
           dir_, out_path);
    if (!fs::exists(fp)) fail("'{}' is not an mwclass checkpoint (no fingerprint.txt)", dir_);
    const std::string old = read_text(fp);
    if (old != fingerprint)
      fail("cannot resume from '{}': it was made with a different version, command, configuration "
           "or input ({}); delete it to start again",
           dir_, first_difference(old, fingerprint));
    // A run killed while publishing an item leaves its temporary file; the
    // lock guarantees that no other run is writing one now.
    for (const auto& entry : fs::directory_iterator(dir_))
      if (entry.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(entry.path(), ec);
    return;
  }
  fs::create_directories(dir_, ec);
  if (ec) fail("cannot create checkpoint directory '{}': {}", dir_, ec.message());
  publish_atomically(fp.string(), fingerprint);
}

std::map<int, ensemble::WorkResult> Checkpoint::load() const {
  std::map<int, ensemble::WorkResult> done;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("item-", 0) != 0 || entry.path().extension() != ".bin") continue;
    const std::string text = read_text(entry.path());
    const std::vector<char> bytes(text.begin(), text.end());
    ByteReader in(bytes);
    std::uint64_t magic = 0;
    in.get(magic);
    const std::uint64_t format = magic - kMagic + 1;
    if (magic < kMagic || format > static_cast<std::uint64_t>(ensemble::kWorkResultFormat))
      fail("checkpoint file '{}' is not of this mwclass version", entry.path().string());
    ensemble::WorkResult r;
    ensemble::decode(in, r, static_cast<int>(format));
    done[r.id] = std::move(r);
  }
  return done;
}

void Checkpoint::save(const ensemble::WorkResult& result) const {
  ByteWriter out;
  out.put(kMagic + static_cast<std::uint64_t>(ensemble::kWorkResultFormat) - 1);
  ensemble::encode(out, result);
  publish_atomically((fs::path(dir_) / fmt::format("item-{}.bin", result.id)).string(), out.bytes());
}

}  // namespace mwclass::output
