#include "mwclass/output/values.hpp"

#include <algorithm>

namespace mwclass::output {

const char* element_name(Element element) {
  switch (element) {
    case Element::f64: return "float64";
    case Element::i32: return "int32";
    case Element::u8: return "uint8";
    case Element::u64: return "uint64";
    case Element::string: return "string";
  }
  return "?";
}

std::size_t element_count(const Extents& extents) {
  std::size_t n = 1;
  for (std::size_t e : extents) n *= e;
  return n;
}

std::string shape_string(const Extents& extents) {
  std::string s = "(";
  for (std::size_t i = 0; i < extents.size(); ++i) s += (i ? ", " : "") + std::to_string(extents[i]);
  return s + (extents.size() == 1 ? ",)" : ")");
}

Matrix Array::matrix() {
  if (extents.size() != 2) fail("internal error: a {}-dimensional array read as a matrix", extents.size());
  const auto elements = take<double>();
  if (elements.size() != element_count(extents))
    fail("internal error: {} values for shape {}", elements.size(), shape_string(extents));
  Matrix m(static_cast<Eigen::Index>(extents[0]), static_cast<Eigen::Index>(extents[1]));
  std::copy(elements.begin(), elements.end(), m.data());
  return m;
}

}  // namespace mwclass::output
