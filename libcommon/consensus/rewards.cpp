// The coinbase of a block (docs/protocol.md, "Rewards").
#include "libcommon/consensus/rewards.h"

#include "libcommon/core/data_field.h"

namespace pot {

// Exact products of 64-bit amounts (a GCC/Clang extension).
__extension__ typedef unsigned __int128 Uint128;

uint64_t blockReward(const ChainParams& params, uint64_t height) {
  if (params.halvingInterval == 0) return params.initialBlockReward;
  uint64_t halvings = height / params.halvingInterval;
  return halvings >= 64 ? 0 : params.initialBlockReward >> halvings;
}

CoinbaseInputs coinbaseInputsOf(schema::Block::Body::Reader body) {
  auto header = body.getHeader().getBody();
  CoinbaseInputs in;
  in.height = header.getHeight();
  in.headerBuilder = hashFrom(header.getPubkey());
  in.wrapper = hashFrom(body.getWrapper());
  for (auto s : body.getStakeholderSignatures())
    in.signers.push_back(hashFrom(s.getBody().getPubkey()));
  for (auto td : body.getDeclarations()) in.declarers.push_back(hashFrom(td.getBody().getPubkey()));
  return in;
}

std::vector<Payout> computeCoinbase(const ChainParams& params, const CoinbaseInputs& in) {
  using K = schema::PayoutKind;
  std::vector<Payout> out;
  auto add = [&](const Address& to, uint64_t amount, K kind) {
    if (amount > 0) out.push_back({to, amount, kind});
  };
  const uint64_t reward = blockReward(params, in.height);
  const auto parts = [&](uint32_t p) { return static_cast<uint64_t>((Uint128)reward * p / 10000); };
  const uint64_t wrapperPart = parts(params.rewardSplit.wrapper);
  uint64_t eachSigner = 0;
  if (!in.signers.empty()) eachSigner = parts(params.rewardSplit.stakeholders) / in.signers.size();
  // The builder takes its share plus every rounding remainder, and the
  // stakeholders' share when K = 1 leaves nobody else to sign.
  const uint64_t builderPart = reward - wrapperPart - eachSigner * in.signers.size();
  add(in.headerBuilder, builderPart, K::HEADER_BUILDER);
  add(in.wrapper, wrapperPart, K::WRAPPER);
  for (const auto& s : in.signers) add(s, eachSigner, K::STAKEHOLDER);
  if (!in.declarers.empty()) {
    const uint64_t fee = std::min(in.feePerStage, in.escrowBalance);
    const uint64_t each = fee / in.declarers.size();
    for (const auto& d : in.declarers) add(d, each, K::STAGE_FEE);
  }
  add(in.wrapper, in.transactionFees, K::TRANSACTION_FEES);
  return out;
}

}  // namespace pot
