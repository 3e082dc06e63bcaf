// Block headers (DESIGN 5.4, Alg. 2 steps 1-2): pick C declarations, stake, reveal rho.
#pragma once

#include <string>
#include <vector>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/pos.h"

namespace pot {

struct HeaderFields {
  Hash256 parent;
  uint64_t height = 0;
  Hash256 modelId;
  uint32_t stage = 0;
  Hash256 stateHash;
  Hash256 rho;
  std::vector<Hash256> declarations;
  uint64_t timestamp = 0;
  uint64_t stakeAmount = 0;
  std::optional<Hash256> lossTraceHash;
};

// Signs a header with exactly these fields (no checks, no PoS search).
Bytes signHeader(const SigningKey& key, const HeaderFields& fields);

struct BuildHeaderOptions {
  Hash256 rho;               // the builder's own training secret
  Hash256 stateHash;         // the builder's own H(S_{i+1})
  uint64_t stakeAmount = 0;  // 0: the whole balance
  uint64_t maxWait = 600;
  // Only timestamps after this one: a header built again on the same parent
  // then has a new kernel, which draws other stakeholders (DESIGN 5.5).
  uint64_t after = 0;
  std::optional<Hash256> lossTraceHash;
};

struct BuiltHeader {
  Bytes header;
  std::vector<std::string> skipped;  // why each unused declaration was left out
};

// Checks every declaration against the builder's rho and state hash on the
// best tip, keeps the first C from distinct signers (input order), then
// searches its own PoS. Invalid when fewer than C pass or no time passes.
// When no second passes, `miss` (if given) says which seconds were tried.
Result<BuiltHeader> buildHeader(const ChainView& chain, const SigningKey& key,
                                const std::vector<const Message*>& declarations,
                                const BuildHeaderOptions& options, const Clock& clock,
                                std::optional<PosMiss>* miss = nullptr);

}  // namespace pot
