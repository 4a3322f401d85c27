#pragma once
// The values of one dataset or attribute in memory, between the result types
// and the file: an element type, the extents (row-major; none for a scalar)
// and the elements. ConstArray is what a writer sends (borrowed from the
// result, or derived and owned); Array is what a reader gets back (owned).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "mwclass/core/error.hpp"
#include "mwclass/core/matrix.hpp"

namespace mwclass::output {

enum class Element { f64, i32, u8, u64, string };

// Name of an element type as the documentation spells it ("float64", "int32", ...).
const char* element_name(Element element);

using Extents = std::vector<std::size_t>;
std::size_t element_count(const Extents& extents);
std::string shape_string(const Extents& extents);  // "(3,)", "(3, 8)", "()"

template <typename T>
constexpr Element element_of();
template <> constexpr Element element_of<double>() { return Element::f64; }
template <> constexpr Element element_of<int>() { return Element::i32; }
template <> constexpr Element element_of<std::uint8_t>() { return Element::u8; }
template <> constexpr Element element_of<std::uint64_t>() { return Element::u64; }
template <> constexpr Element element_of<std::string>() { return Element::string; }
static_assert(sizeof(int) == 4, "int32 datasets are read and written as int");

class ConstArray {
 public:
  // Borrowed: the referenced value must outlive the ConstArray.
  template <typename T>
  static ConstArray view(const std::vector<T>& values) {
    return ConstArray(element_of<T>(), {values.size()}, values.data(), values.size(), nullptr);
  }
  template <typename T>
  static ConstArray view(const std::vector<T>& values, Extents extents) {
    return ConstArray(element_of<T>(), std::move(extents), values.data(), values.size(), nullptr);
  }
  static ConstArray view(const Matrix& m) {  // row-major storage is already C order
    return ConstArray(Element::f64, {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())},
                      m.data(), static_cast<std::size_t>(m.size()), nullptr);
  }
  template <typename T>
  static ConstArray view(const T& scalar) {
    return ConstArray(element_of<T>(), {}, &scalar, 1, nullptr);
  }
  // Owned: derived values (a column of the decisions, a flattened list of matrices).
  template <typename T>
  static ConstArray own(std::vector<T> values, Extents extents) {
    auto storage = std::make_shared<std::vector<T>>(std::move(values));
    return ConstArray(element_of<T>(), std::move(extents), storage->data(), storage->size(), storage);
  }
  template <typename T>
  static ConstArray own(std::vector<T> values) {
    const std::size_t n = values.size();
    return own(std::move(values), {n});
  }
  template <typename T>
  static ConstArray own_scalar(T value) {
    auto storage = std::make_shared<T>(std::move(value));
    return ConstArray(element_of<T>(), {}, storage.get(), 1, storage);
  }

  Element element() const { return element_; }
  const Extents& extents() const { return extents_; }
  std::size_t count() const { return count_; }  // elements actually held (checked against extents by writers)
  const void* data() const { return data_; }    // std::string* for Element::string
  template <typename T>
  const T* as() const;  // the elements, if they are of type T (else an Error)

 private:
  ConstArray(Element e, Extents x, const void* d, std::size_t n, std::shared_ptr<const void> s)
      : element_(e), extents_(std::move(x)), count_(n), data_(d), storage_(std::move(s)) {}
  Element element_;
  Extents extents_;
  std::size_t count_;
  const void* data_;
  std::shared_ptr<const void> storage_;
};

struct Array {
  Extents extents;
  // alternatives in the order of Element
  std::variant<std::vector<double>, std::vector<int>, std::vector<std::uint8_t>, std::vector<std::uint64_t>,
               std::vector<std::string>>
      values;

  // The elements, moved out; an Error if they are not of type T.
  template <typename T>
  std::vector<T> take();
  template <typename T>
  T scalar() {
    auto v = take<T>();
    return v.empty() ? T{} : std::move(v.front());
  }
  Matrix matrix();  // 2-D float64
};

template <typename T>
const T* ConstArray::as() const {
  if (element_ != element_of<T>())
    fail("internal error: values of type {} used as {}", element_name(element_), element_name(element_of<T>()));
  return static_cast<const T*>(data_);
}

template <typename T>
std::vector<T> Array::take() {
  auto* held = std::get_if<std::vector<T>>(&values);
  if (!held) fail("internal error: values read as {} taken as {}", element_name(static_cast<Element>(values.index())),
                    element_name(element_of<T>()));
  return std::move(*held);
}

}  // namespace mwclass::output
