// The training secret rho and the per-stage seed: hashing only, no libtorch (DESIGN 4.1, 4.2).
#pragma once

#include <cstdint>
#include <vector>

#include "libcommon/core/hash.h"

namespace pot {

// The training secret over per-sample losses (DESIGN 4.2):
// h_1 = H(le32(l_1)), h_j = H(le32(l_j) || h_{j-1}).
Hash256 trainingSecret(const std::vector<float>& losses);

// The per-stage randomness seed H(le64(seed) || le32(stage)) (DESIGN 4.1),
// as the first 8 bytes little-endian.
uint64_t stageSeed(uint64_t seed, uint32_t stage);

}  // namespace pot
