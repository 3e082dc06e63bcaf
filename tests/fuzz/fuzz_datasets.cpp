// libFuzzer target: dataset files (IDX, CSV, NumPy .npz) as pot-partition and pot-evaluate read
// them. The readers take paths, so each input is written to a scratch file first.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "libcommon/train/dataset.h"

namespace {

std::string scratch(const char* suffix) {
  return std::string("/tmp/pot-fuzz-") + std::to_string(getpid()) + suffix;
}

void put(const std::string& path, const uint8_t* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) __builtin_trap();
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string a = scratch(".a"), b = scratch(".b");
  // The first byte splits the input into an image file and a label file.
  const size_t split = size ? (data[0] * (size - 1)) / 255 + 1 : 0;
  put(a, data + (size ? 1 : 0), size ? split - 1 : 0);
  put(b, data + split, size - split);
  (void)pot::loadIdx(a, b);
  put(a, data, size);
  (void)pot::loadCsv(a, -1);
  (void)pot::loadCsv(a, 0);
  (void)pot::loadNpz(a);
  return 0;
}
