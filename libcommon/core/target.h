// 256-bit unsigned arithmetic for PoS targets and chain trust (DESIGN 5.2, 5.7).
#pragma once

#include <cstdint>

#include "libcommon/core/hash.h"

namespace pot {

// 256-bit values are stored big-endian in a Hash256, so operator< on the
// bytes is numeric order and a kernel hash compares directly to a target.
using Uint256 = Hash256;

Uint256 uint256FromU64(uint64_t v);
Uint256 uint256Max();

// min(2^256 - 1, base x stake x ageSeconds): the saturating PoS target.
Uint256 posTarget(const Uint256& base, uint64_t stake, uint64_t ageSeconds);

// A PoS message passes when its kernel hash <= target.
inline bool meetsTarget(const Hash256& kernel, const Uint256& target) { return !(target < kernel); }

// floor(2^256 / (target + 1)): the trust a block adds to its chain.
Uint256 blockTrust(const Uint256& target);

// a + b, saturating at 2^256 - 1 (cumulative trust never wraps).
Uint256 addSaturating(const Uint256& a, const Uint256& b);

// a / d rounded down, for deriving base targets from a desired rate.
Uint256 divideU64(const Uint256& a, uint64_t d);

}  // namespace pot
