#include "mwclass/output/files.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "mwclass/core/error.hpp"

namespace mwclass::output {

void write_file_atomically(const std::string& path, const std::string& text) {
  write_file_atomically(path, std::vector<char>(text.begin(), text.end()));
}

void write_file_atomically(const std::string& path, const std::vector<char>& bytes) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      fail("cannot write '{}' (directory missing, no permission or disk full?)", tmp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) fail("cannot rename '{}' to '{}': {}", tmp, path, ec.message());
}

}  // namespace mwclass::output
