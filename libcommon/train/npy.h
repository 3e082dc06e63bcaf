// NumPy's .npy array format (format versions 1-3): the arrays ML users already have (DESIGN 4.6).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot {

// A C-order little-endian array. `dtype` is the element type as NumPy names
// it: "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64",
// "int64", "float32" or "float64".
struct NpyArray {
  std::string dtype;
  std::vector<uint64_t> shape;
  Bytes data;
  uint64_t elements() const;
};

// Bytes per element of a dtype above; 0 for any other.
size_t npyElementBytes(const std::string& dtype);

// Parses a whole .npy file. Malformed (exit 3): a bad magic or version, a
// header that is not NumPy's dict of descr, fortran_order and shape, a
// big-endian, Fortran-order, object or other unsupported dtype, or a data
// size other than the shape's. `what` names the array in messages.
Result<NpyArray> parseNpy(const Bytes& bytes, const std::string& what);

}  // namespace pot
