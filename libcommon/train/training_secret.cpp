// The training secret rho and the per-stage seed (DESIGN 4.1, 4.2).
#include "libcommon/train/training_secret.h"

#include <cstring>

#include "libcommon/core/coding.h"

namespace pot {

Hash256 trainingSecret(const std::vector<float>& losses) {
  Hash256 h;
  for (size_t j = 0; j < losses.size(); ++j) {
    uint32_t bits;
    std::memcpy(&bits, &losses[j], 4);
    Sha256 s;
    s.updateU32(bits);
    if (j > 0) s.update(h);
    h = s.finish();
  }
  return h;
}

uint64_t stageSeed(uint64_t seed, uint32_t stage) {
  Hash256 h = Sha256().updateU64(seed).updateU32(stage).finish();
  return coding::getLe64(h.bytes.data());
}

}  // namespace pot
