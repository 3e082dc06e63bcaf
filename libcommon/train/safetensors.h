// The safetensors file format (DESIGN 4.7): named little-endian tensors behind a JSON header.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot {

// One tensor of a safetensors file. `dtype` is the format's own name
// ("F32", "F64", "I64", "I32", "U8"); data is raw little-endian, row-major.
struct SafeTensor {
  std::string name;
  std::string dtype;
  std::vector<uint64_t> shape;
  Bytes data;
};

struct SafetensorsFile {
  std::vector<SafeTensor> tensors;              // in data order
  std::map<std::string, std::string> metadata;  // "__metadata__": string to string
};

// Bytes per element of a dtype name; 0 for a dtype this reader does not take.
size_t safetensorsElementBytes(const std::string& dtype);

// 8-byte little-endian header length, the JSON header (name -> dtype, shape,
// data_offsets; "__metadata__"), padded with spaces to a multiple of 8 so
// the data that follows is aligned, then the tensors' data in order.
Bytes writeSafetensors(const SafetensorsFile& file);

// The inverse. Refused as malformed (exit 3): a truncated length or header,
// a header that is not a JSON object, an unknown dtype, offsets outside the
// data, overlapping or leaving holes, a size that does not match the shape,
// and a header over 100 MB (the format's own cap). Tensors come back in
// data order whatever the header's key order.
Result<SafetensorsFile> readSafetensors(const Bytes& bytes);

}  // namespace pot
