// Rewards (DESIGN 5.6): the block's coinbase, derived from the chain, never trusted.
#pragma once

#include <vector>

#include "libcommon/consensus/genesis.h"
#include "libcommon/consensus/ledger.h"
#include "schemas/pot.capnp.h"

namespace pot {

struct Payout {
  Address to;
  uint64_t amount = 0;
  schema::PayoutKind kind = schema::PayoutKind::HEADER_BUILDER;
  friend bool operator==(const Payout& a, const Payout& b) {
    return a.to == b.to && a.amount == b.amount && a.kind == b.kind;
  }
};

// initialBlockReward halved every halvingInterval blocks (0 = never).
uint64_t blockReward(const ChainParams& params, uint64_t height);

// Who the coinbase pays for one block.
struct CoinbaseInputs {
  uint64_t height = 0;
  PublicKey headerBuilder;
  PublicKey wrapper;                 // stakeholder K
  std::vector<PublicKey> signers;    // stakeholders 1..K-1, in order
  std::vector<PublicKey> declarers;  // the C declarers, in block order
  uint64_t escrowBalance = 0;        // the model's escrow at the parent state
  uint64_t feePerStage = 0;
  uint64_t transactionFees = 0;
};

// The inputs a block itself determines (height, builder, wrapper, signers,
// declarers); the caller adds the escrow, fee per stage and transaction fees
// from the parent state.
CoinbaseInputs coinbaseInputsOf(schema::Block::Body::Reader body);

// In order: header builder, wrapper, each signing stakeholder, the stage fee
// to each declarer, the transaction fees to the wrapper; zero amounts are
// left out. Reward remainders go to the header builder; the stage fee is
// min(feePerStage, escrow) / C each, its remainder stays in escrow.
std::vector<Payout> computeCoinbase(const ChainParams& params, const CoinbaseInputs& in);

}  // namespace pot
