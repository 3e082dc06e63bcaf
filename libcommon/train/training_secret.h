// What a stage commits to besides its state: the training secret rho, the loss trace, and the
// per-stage seed. Hashing only, no libtorch (DESIGN 4.1, 4.2).
#pragma once

#include <cstdint>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot {

// The training secret over per-sample losses (DESIGN 4.2):
// h_1 = H(le32(l_1)), h_j = H(le32(l_j) || h_{j-1}).
Hash256 trainingSecret(const std::vector<float>& losses);

// The per-stage randomness seed H(le64(seed) || le32(stage)) (DESIGN 4.1),
// as the first 8 bytes little-endian.
uint64_t stageSeed(uint64_t seed, uint32_t stage);

// The loss trace file of a stage: Envelope{lossTrace} with the model id, the
// stage and its per-sample losses; a header's loss-trace hash is this file's
// SHA-256 (docs/protocol.md, "Identifiers").
Bytes encodeLossTrace(const Hash256& modelId, uint32_t stage, const std::vector<float>& losses);

}  // namespace pot
