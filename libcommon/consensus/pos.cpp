// PoS kernels, stake targets and the timestamp search (docs/protocol.md, "Proof of stake").
#include "libcommon/consensus/pos.h"

#include <chrono>
#include <ctime>
#include <thread>

#include "libcommon/core/data_field.h"

namespace pot {

Hash256 posKernel(StakePhase phase, const Hash256& anchor, const PublicKey& staker,
                  const Hash256& modelId, uint32_t stage, const Hash256& stateHash,
                  uint64_t timestamp) {
  Sha256 h;
  h.update(std::string_view(phase == StakePhase::kDeclaration ? "pot/v1/kernel/td"
                                                              : "pot/v1/kernel/bh"));
  h.update(anchor);
  h.update(staker);
  h.update(modelId);
  h.updateU32(stage);
  h.update(stateHash);
  h.updateU64(timestamp);
  return h.finish();
}

Hash256 kernelOf(schema::TrainingDeclaration::Reader td) {
  auto b = td.getBody();
  return posKernel(StakePhase::kDeclaration, hashFrom(b.getAnchor()), hashFrom(b.getPubkey()),
                   hashFrom(b.getModelId()), b.getStage(), hashFrom(b.getStateHash()),
                   b.getTimestamp());
}

Hash256 kernelOf(schema::BlockHeader::Reader header) {
  auto b = header.getBody();
  return posKernel(StakePhase::kHeader, hashFrom(b.getParent()), hashFrom(b.getPubkey()),
                   hashFrom(b.getModelId()), b.getStage(), hashFrom(b.getStateHash()),
                   b.getTimestamp());
}

Result<Uint256> stakeTarget(const LedgerReader& state, const ChainParams& params,
                            const StakeClaim& claim, Rejection* why) {
  auto reject = [&](RejectReason reason, const std::string& msg) -> Status {
    if (why) *why = {reason, msg};
    return Status::invalid(std::string(rejectName(reason)) + ": " + msg);
  };
  auto acc = state.account(claim.staker);
  uint64_t balance = acc ? acc->balance : 0;
  if (claim.amount == 0 || claim.amount > balance)
    return reject(RejectReason::kBadCoinstake, "stakes " + std::to_string(claim.amount) + " but " +
                                                   claim.staker.hex() + " holds " +
                                                   std::to_string(balance));
  uint64_t age = claim.timestamp > acc->ageSince ? claim.timestamp - acc->ageSince : 0;
  if (age < params.minStakeAge)
    return reject(RejectReason::kStakeTooYoung, "coins of " + claim.staker.hex() + " are " +
                                                    std::to_string(age) + " s old, minimum " +
                                                    std::to_string(params.minStakeAge) + " s");
  const Uint256& base = claim.phase == StakePhase::kDeclaration ? params.declarationBaseTarget
                                                                : params.headerBaseTarget;
  return posTarget(base, claim.amount, std::min(age, params.maxStakeAge));
}

Clock systemClock() {
  return Clock{[] { return static_cast<uint64_t>(std::time(nullptr)); },
               [] { std::this_thread::sleep_for(std::chrono::milliseconds(250)); }};
}

Clock fixedClock(uint64_t now) {
  return Clock{[now] { return now; }, [] {}, true};
}

std::optional<uint64_t> searchTimestamp(const std::function<bool(uint64_t)>& passes,
                                        uint64_t earliest, const Clock& clock, uint64_t maxWait) {
  const uint64_t start = clock.now();
  uint64_t t = earliest;
  for (;;) {
    const uint64_t now = clock.now();
    // Every second up to the clock is a try; never one ahead of it (DESIGN 5.2).
    for (; t <= now; ++t)
      if (passes(t)) return t;
    if (clock.fixed || now >= start + maxWait) return std::nullopt;
    while (clock.now() == now) clock.sleepOneSecond();
  }
}

}  // namespace pot
