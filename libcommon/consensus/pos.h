// Proof of stake for both phases (DESIGN 5.2): kernels, weights, targets, timestamp search.
#pragma once

#include <functional>
#include <optional>

#include "libcommon/consensus/genesis.h"
#include "libcommon/consensus/ledger.h"
#include "libcommon/core/crypto.h"
#include "libcommon/core/target.h"

namespace pot {

// The two PoS phases use different kernel tags and base targets.
enum class StakePhase { kDeclaration, kHeader };

// H(tag || anchor || staker || modelId || le32(stage) || stateHash || le64(timestamp)),
// tag "pot/v1/kernel/td" or "pot/v1/kernel/bh". Nothing but the timestamp is
// free for the staker: rand and the declaration list stay out (no grinding).
Hash256 posKernel(StakePhase phase, const Hash256& anchor, const PublicKey& staker,
                  const Hash256& modelId, uint32_t stage, const Hash256& stateHash,
                  uint64_t timestamp);

// The kernel a declaration or header claims, read from its own fields (a
// declaration's anchor field; a header's parent).
Hash256 kernelOf(schema::TrainingDeclaration::Reader td);
Hash256 kernelOf(schema::BlockHeader::Reader header);

// The stake behind one PoS message, as evaluated on the parent state.
struct StakeClaim {
  StakePhase phase = StakePhase::kDeclaration;
  PublicKey staker;
  uint64_t amount = 0;
  uint64_t timestamp = 0;
};

// target = min(2^256-1, base x amount x min(age, maxAge)), age = timestamp -
// ageSince of the staker's account in `state`. Rejects (bad-coinstake) an
// amount of zero or above the balance, and (stake-too-young) age < minAge.
Result<Uint256> stakeTarget(const LedgerReader& state, const ChainParams& params,
                            const StakeClaim& claim, Rejection* why = nullptr);

// A clock the PoS search can wait on: the system clock, or a fixed --now.
struct Clock {
  std::function<uint64_t()> now;
  std::function<void()> sleepOneSecond;  // may return early; callers re-read now()
  bool fixed = false;                    // never advances: search only up to now()
};
Clock systemClock();
Clock fixedClock(uint64_t now);

// Tries timestamps from `earliest` upward, never ahead of the clock, one new
// second per second, until `passes(t)` or `maxWait` seconds of waiting. A
// fixed clock never advances, so the search ends at its time.
std::optional<uint64_t> searchTimestamp(const std::function<bool(uint64_t)>& passes,
                                        uint64_t earliest, const Clock& clock, uint64_t maxWait);

// A PoS search that found no passing second in [earliest, latest]: under
// real targets an ordinary answer (ask again later), which callers tell
// apart from every other refusal by this value, not by a message.
struct PosMiss {
  uint64_t earliest = 0;
  uint64_t latest = 0;
};

}  // namespace pot
