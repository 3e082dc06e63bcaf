// Block assembly (DESIGN 5.5, Alg. 2 steps 4-5): stakeholder signatures and the wrapper's block.
#pragma once

#include <optional>
#include <vector>

#include "libcommon/consensus/block.h"

namespace pot {

struct BlockParts {
  const Message* header = nullptr;
  std::vector<const Message*> declarations;  // any order; placed as the header names them
  std::vector<const Message*> signatures;    // stakeholder signatures 1..K-1, any order
  std::vector<const Message*> transactions;  // in block order
};

// What pot-stake does for one key: the signed block if it is stakeholder K
// and the K-1 signatures are given; else a stakeholder signature for the
// lowest index k < K it holds that the given signatures do not cover yet.
// Invalid if the key is not drawn or has nothing left to do.
struct StakeOutput {
  Bytes message;
  uint32_t index = 0;  // 1..K
  bool isBlock = false;
};
Result<StakeOutput> stake(const ChainView& chain, const SigningKey& key, const BlockParts& parts);

// Fills a block with the recomputed coinbase and signs it as the wrapper.
// Exposed so tests can build blocks and break them one rule at a time.
struct BlockFields {
  const Message* header = nullptr;
  std::vector<const Message*> declarations;
  std::vector<const Message*> signatures;
  std::vector<const Message*> transactions;
  std::optional<std::vector<Payout>> coinbase;  // default: recomputed
};
Result<Bytes> assembleBlock(const ChainView& chain, const SigningKey& wrapper,
                            const BlockFields& fields);

}  // namespace pot
