// Training declarations (DESIGN 5.3, Alg. 1): commitment, making one, and the checks on one.
#pragma once

#include <optional>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/pos.h"

namespace pot {

// H(rho || rand).
Hash256 commitmentOf(const Hash256& rho, const Hash256& rand);

struct DeclarationFields {
  Hash256 modelId;
  uint32_t stage = 0;
  Hash256 stateHash;
  Hash256 rho;
  Hash256 rand;  // fresh secureRandom unless a test fixes it
  Hash256 anchor;
  uint64_t stakeAmount = 0;
  uint64_t timestamp = 0;
};

// Signs a declaration with exactly these fields (no PoS search).
Bytes signDeclaration(const SigningKey& key, const DeclarationFields& fields);

struct DeclareOptions {
  Hash256 modelId;
  uint32_t stage = 0;  // 0: the model's next stage
  Hash256 stateHash;
  Hash256 rho;
  uint64_t stakeAmount = 0;  // 0: the whole balance
  uint64_t maxWait = 600;
};

// Alg. 1 against the chain's best tip: anchor and stage from the model's
// progress, fresh rand, then the first passing timestamp. Invalid when the
// stage is not next or no timestamp passes in time.
// When no second passes, `miss` (if given) says which seconds were tried.
Result<Bytes> declare(const ChainView& chain, const SigningKey& key, const DeclareOptions& options,
                      const Clock& clock, std::optional<PosMiss>* miss = nullptr);

// What a declaration must match: the header's model, stage, state and rho.
struct DeclarationExpectation {
  Hash256 modelId;
  uint32_t stage = 0;
  Hash256 stateHash;
  Hash256 rho;
  Hash256 anchor;
};

// Signature (unless the caller verified it already), model, stage, anchor,
// state hash, commitment, then PoS on `state` (the header's parent state);
// the first broken rule, if any.
std::optional<Rejection> checkDeclaration(schema::TrainingDeclaration::Reader td,
                                          const DeclarationExpectation& expected,
                                          const LedgerReader& state, const ChainParams& params,
                                          bool signatureVerified = false);

}  // namespace pot
