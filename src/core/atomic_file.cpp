#include "mwclass/core/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "mwclass/core/error.hpp"

namespace mwclass {
namespace {

// fsync of a file or directory by name. EINVAL: the file system does not
// support syncing this kind of object (some FUSE and network file systems).
void sync(const std::string& name, bool directory, const std::string& path) {
  const int fd = ::open(name.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) fail("cannot write '{}': cannot open '{}' to sync it: {}", path, name, std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) fail("cannot write '{}': cannot sync '{}' to disk: {}", path, name, std::strerror(err));
}

std::string directory_of(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  return dir.empty() ? std::string(".") : dir.string();
}

void remove_quietly(const std::string& name) {
  std::error_code ignored;
  std::filesystem::remove(name, ignored);
}

// Plain write(2)/close(2), not a stream: a full disk or a quota must be
// reported with the OS's own reason ("No space left on device"), and a
// network file system may report it only when the file is closed.
void publish_bytes(const std::string& path, const char* data, std::size_t size) {
  publish_atomically(path, [&](const std::string& temporary) {
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail("cannot write '{}': cannot create '{}': {}", path, temporary, std::strerror(errno));
    for (std::size_t done = 0; done < size;) {
      const ssize_t n = ::write(fd, data + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int err = n < 0 ? errno : EIO;
        ::close(fd);
        fail("cannot write '{}': writing '{}' failed: {}", path, temporary, std::strerror(err));
      }
      done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) fail("cannot write '{}': closing '{}' failed: {}", path, temporary, std::strerror(errno));
  });
}

}  // namespace

std::string temporary_name(const std::string& path, const char* kind) {
  return fmt::format("{}.{}-{}", path, kind, static_cast<long>(::getpid()));
}

void publish_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  if (path.empty()) fail("cannot write a file with an empty name");
  const std::string temporary = temporary_name(path);
  try {
    write(temporary);
    sync(temporary, false, path);
    if (std::rename(temporary.c_str(), path.c_str()) != 0)
      fail("cannot write '{}': cannot rename '{}' to it: {}", path, temporary, std::strerror(errno));
  } catch (...) {
    remove_quietly(temporary);
    throw;
  }
  // The file at `path` is complete from here on; this makes the rename durable.
  sync(directory_of(path), true, path);
}

void publish_atomically(const std::string& path, const std::vector<char>& bytes) {
  publish_bytes(path, bytes.data(), bytes.size());
}

void publish_atomically(const std::string& path, const std::string& bytes) {
  publish_bytes(path, bytes.data(), bytes.size());
}

}  // namespace mwclass
