#pragma once
// Whole-file writes that never leave a half-written file under the final
// name: the bytes go to "<path>.tmp-<pid>", which is then renamed over path.
#include <string>
#include <vector>

namespace mwclass::output {

void write_file_atomically(const std::string& path, const std::vector<char>& bytes);
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace mwclass::output
