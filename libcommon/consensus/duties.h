// A node's duties on the best tip: what to train next, which declarations match, what to sign or
// wrap (DESIGN 5.3-5.5, 5.8); the decisions scripts/pot-node used to make itself.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "libcommon/consensus/block_assembly.h"
#include "libcommon/consensus/chain_view.h"
#include "libcommon/core/message_io.h"

namespace pot {

// The stage a node trains next: the first model of the fee queue (DESIGN
// 5.1) on `tip`, stage i+1 = lastStage + 1 from S_i = lastStateHash, on the
// request's batch stageBatchIndex(i+1, t), which for the dummy model cycles
// past t (DESIGN 5.8).
struct TrainingDuty {
  Hash256 modelId;
  uint32_t stage = 0;      // i+1
  Hash256 previousState;   // H(S_i); H(S_0) for stage 1
  Hash256 batch;           // the file hash of the stage's batch
  uint32_t declarers = 0;  // C
  Hash256 anchor;          // the block that recorded stage i (or the registration)
  Hash256 parent;          // the tip a header for this stage builds on
};

// The duty for model record `m` (its request file `request`, from
// LedgerReader::request) on tip `parent`. Malformed when the request does
// not decode or disagrees with the record.
Result<TrainingDuty> trainingDutyOf(const ModelRecord& m, const Bytes& request,
                                    const Hash256& parent);

// std::nullopt when nothing is active (a chain without a dummy model whose
// requests are all done). Malformed when a queued request cannot be decoded.
//
// `skipped` are models this node failed to train (say, objects missing from
// every repository: consensus cannot see a repository, docs/protocol.md
// "Liveness"): the first queued model not among them, else the dummy model,
// which is never skipped. The queue is advice, not a rule, so a node that
// trains the next model instead makes valid blocks, and an idle network is
// not halted by a head no node can train.
Result<std::optional<TrainingDuty>> nextTraining(const ChainView& chain,
                                                 const std::set<Hash256>& skipped = {});

// The declarations among `all` for (model, stage, H(S_{i+1})), in input
// order: the candidates for a header. Signers are not made distinct here: a
// node that declared again on a new anchor has two, and only buildHeader
// knows which of them still holds.
std::vector<const Message*> matchingDeclarations(const std::vector<const Message*>& all,
                                                 const Hash256& modelId, uint32_t stage,
                                                 const Hash256& stateHash);

// The declarations a header names, in the header's order; nullopt when one
// of them is not among `all`.
std::optional<std::vector<const Message*>> namedDeclarations(
    schema::BlockHeader::Reader header, const std::vector<const Message*>& all);

// The stakeholder signatures among `all` that count for a header whose draw
// is `drawn`: for header `headerId`, index k in 1..K-1, signed by the key
// drawn at k; one per index (the first). Others cannot make a valid block.
std::map<uint32_t, const Message*> countedSignatures(const Hash256& headerId,
                                                     const std::vector<PublicKey>& drawn,
                                                     const std::vector<const Message*>& all);

// One thing a key owes a header (Alg. 2 steps 4-5).
struct StakeDuty {
  enum class Kind { kSign, kWrap };
  Kind kind = Kind::kSign;
  const Message* header = nullptr;
  Hash256 headerId;
  uint32_t index = 0;  // k: 1..K-1 to sign, K to wrap
};

// For every header among `headers` that builds on the best tip and whose
// signature verifies, in input order: a sign duty for each index k < K the
// key is drawn at and that `signatures` do not cover yet, and a wrap duty
// when it is drawn at K and signatures 1..K-1 are in. Headers whose draw
// cannot be made (no parent state) are skipped.
std::vector<StakeDuty> stakeDuties(const ChainView& chain, const PublicKey& key,
                                   const std::vector<const Message*>& headers,
                                   const std::vector<const Message*>& signatures);

// The fork policy: one header per parent (docs/protocol.md "One header per
// parent"). Without it every node that holds C matching declarations builds a
// header at once, each header draws its own K stakeholders, and each becomes
// a block: up to one competing block per node at every height. Under the
// policy a stakeholder waits `windowMs` after the first header on its tip
// arrived, then endorses (signs or wraps) only the one with the lowest PoS
// kernel among those that had arrived by then. Every stakeholder applies the
// same rule to (nearly) the same set, so one header collects all K
// endorsements and the others none. The kernel, not the header id, ranks
// them: the builder can vary the id for free but the kernel only with the
// timestamp (one try per second). After `lockMs` the rule lapses and every
// header on that tip is endorsed, so an offline stakeholder of the chosen
// header cannot halt the chain (pot-node builds a new header after 30 s).
struct EndorsePolicy {
  uint64_t windowMs = 0;  // 0: no policy, every header at once
  uint64_t lockMs = 0;
};
// The default pot-stake duties applies.
inline constexpr EndorsePolicy kDefaultEndorsePolicy{1500, 15000};

// A header and when this node first saw it (milliseconds on its clock).
struct ArrivedHeader {
  const Message* header = nullptr;
  uint64_t arrivedMs = 0;
};

// The headers among `headers` a stakeholder endorses at `nowMs` under
// `policy`, in input order: those on the best tip whose signature verifies
// and whose PoS kernel meets its target on the tip's state, narrowed as the
// policy says (none while the window is open).
std::vector<const Message*> headersToEndorse(const ChainView& chain,
                                             const std::vector<ArrivedHeader>& headers,
                                             uint64_t nowMs, const EndorsePolicy& policy);

// What pot-stake does for the key, with the pending transactions
// `candidates` (in order) as the wrapper's choice: all of them when that
// block is valid, else each in turn that keeps the block valid. One
// transaction the ledger refuses (say, more than its sender holds) must not
// stop every wrapper, and with them the chain (DESIGN 5.8). parts.transactions
// come first and are kept as given.
Result<StakeOutput> stakeWithPending(const ChainView& chain, const SigningKey& key,
                                     const BlockParts& parts,
                                     const std::vector<const Message*>& candidates);

}  // namespace pot
