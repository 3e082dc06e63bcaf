// Proof of activity (DESIGN 5.5): follow-the-coin selection of the K stakeholders of a header.
#pragma once

#include <vector>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/crypto.h"

namespace pot {

// r mod n for a 256-bit big-endian r and n > 0.
uint64_t reduceModulo(const Hash256& r, uint64_t n);

// r_k = H("pot/v1/ftc" || seed || le32(k)) mod S, k = 1..K, where S is the
// sum of the balances of every account that is not a registered escrow.
// Stakeholder k is the first such account, ascending by address, whose
// cumulative balance exceeds r_k. Fails if no coins can be followed.
//
// The seed of a header's draw is its PoS kernel, not its id (a deviation
// from DESIGN 5.5): the id also covers fields the builder may vary for free
// (coinstake amount, loss-trace hash, declaration order), which would let it
// re-draw until it is every stakeholder itself. The kernel varies only with
// the timestamp: one draw per second, like the PoS search itself.
Result<std::vector<PublicKey>> followTheCoin(const LedgerReader& parentState, const Hash256& seed,
                                             uint32_t k);

}  // namespace pot
