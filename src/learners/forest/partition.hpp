#pragma once
// The one row partition of the forest, shared by the tree builder (codes) and
// the router (values).
#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace mwclass::learners::forest {

// Stable partition of rows[begin, end) by go_left(row), without a branch:
// left rows stay in place in order, right ones go through `spill` (room for
// end - begin rows) and follow them. Returns the end of the left part.
template <typename GoLeft>
std::size_t partition_rows(std::uint32_t* rows, std::size_t begin, std::size_t end,
                           std::uint32_t* spill, GoLeft go_left) {
  std::size_t l = begin, r = 0;
  for (std::size_t i = begin; i < end; ++i) {
    const std::uint32_t row = rows[i];
    const bool left = go_left(row);
    rows[l] = row;
    spill[r] = row;
    l += left;
    r += !left;
  }
  std::copy(spill, spill + r, rows + l);
  return l;
}

}  // namespace mwclass::learners::forest
