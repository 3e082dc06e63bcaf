// The real chain the chain-reading fuzz targets start from (see fuzz_frames.h).
#include <cstdio>
#include <cstdlib>

#include "fuzz_frames.h"

namespace pot::fuzz {

const char* chainFolder() {
  const char* dir = std::getenv("POT_FUZZ_CHAIN");
  if (dir == nullptr || *dir == '\0') {
    std::fprintf(stderr,
                 "set POT_FUZZ_CHAIN to a folder with genesis and chain/ (bench/fuzz/seeds.sh "
                 "makes one; bench/fuzz/run.sh sets it)\n");
    std::abort();
  }
  return dir;
}

}  // namespace pot::fuzz
