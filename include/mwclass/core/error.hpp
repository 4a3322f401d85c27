#pragma once
// One exception type for every user-facing failure (bad input, bad option, I/O).
// The message is complete on its own: it names the file, row, column or option.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace mwclass {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// An Error that every rank of a job throws with the same message (e.g. rank
// 0's input error after it was broadcast): main prints it once, on rank 0,
// and exits 2 without aborting the other ranks.
class CollectiveError : public Error {
 public:
  explicit CollectiveError(const std::string& message) : Error(message) {}
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace mwclass
