#include "mwclass/output/checkpoint.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

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
}  // namespace

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
