// A node's duties on the best tip: the training queue's head, matching declarations, and the
// signatures and blocks a key owes the headers on the tip.
#include "libcommon/consensus/duties.h"

#include <algorithm>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/pos.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/signatures.h"

namespace pot {

Result<TrainingDuty> trainingDutyOf(const ModelRecord& m, const Bytes& requestFile,
                                    const Hash256& parent) {
  auto request = decodeMessage(requestFile);
  if (!request) return request.status().withContext("model " + m.modelId.hex());
  POT_TRY(expectKind(**request, schema::Envelope::TRAINING_REQUEST, "model " + m.modelId.hex()));
  auto batches = (*request)->envelope().getTrainingRequest().getBody().getStageBatches();
  if (batches.size() == 0 || batches.size() != m.stagesTotal)
    return Status::malformed("model " + m.modelId.hex() + ": its request has " +
                             std::to_string(batches.size()) + " stage batches, the record " +
                             std::to_string(m.stagesTotal));
  TrainingDuty d;
  d.modelId = m.modelId;
  d.stage = m.lastStage + 1;
  d.previousState = m.lastStateHash;
  // Past t (the dummy model only) the batches cycle (DESIGN 5.8).
  d.batch = hashFrom(batches[stageBatchIndex(d.stage, batches.size())]);
  d.declarers = m.declarers;
  d.anchor = m.anchor;
  d.parent = parent;
  return d;
}

Result<std::optional<TrainingDuty>> nextTraining(const ChainView& chain,
                                                 const std::set<Hash256>& skipped) {
  const BlockInfo tip = chain.tip();
  const LedgerReader* state = chain.stateAt(tip.id);
  if (!state) return Status::io("no ledger state for the tip " + tip.id.hex());
  std::optional<ModelRecord> pick;
  for (const ModelRecord& m : modelQueue(*state)) {
    if (m.isDummy || !skipped.count(m.modelId)) {
      pick = m;
      break;
    }
  }
  if (!pick) {
    // Every active request is skipped: the dummy, which the queue lists only
    // when nothing else is active.
    state->forEachModel([&](const ModelRecord& m) {
      if (m.isDummy && m.active()) pick = m;
      return !pick;
    });
  }
  if (!pick) return std::optional<TrainingDuty>();
  auto request = state->request(pick->modelId);
  if (!request) return Status::io("model " + pick->modelId.hex() + " has no stored request");
  auto d = trainingDutyOf(*pick, *request, tip.id);
  if (!d) return d.status();
  return std::optional<TrainingDuty>(*d);
}

std::vector<const Message*> matchingDeclarations(const std::vector<const Message*>& all,
                                                 const Hash256& modelId, uint32_t stage,
                                                 const Hash256& stateHash) {
  std::vector<const Message*> out;
  for (const Message* m : all) {
    if (m->kind() != schema::Envelope::TRAINING_DECLARATION) continue;
    auto b = m->envelope().getTrainingDeclaration().getBody();
    if (b.getStage() == stage && b.getModelId().size() == 32 && b.getStateHash().size() == 32 &&
        hashFrom(b.getModelId()) == modelId && hashFrom(b.getStateHash()) == stateHash)
      out.push_back(m);
  }
  return out;
}

std::optional<std::vector<const Message*>> namedDeclarations(
    schema::BlockHeader::Reader header, const std::vector<const Message*>& all) {
  std::map<Hash256, const Message*> byId;
  for (const Message* m : all)
    if (m->kind() == schema::Envelope::TRAINING_DECLARATION)
      byId.emplace(
          messageId(Domain::kDeclaration, m->envelope().getTrainingDeclaration().getBody()), m);
  std::vector<const Message*> out;
  for (auto id : header.getBody().getDeclarations()) {
    if (id.size() != 32) return std::nullopt;
    auto it = byId.find(hashFrom(id));
    if (it == byId.end()) return std::nullopt;
    out.push_back(it->second);
  }
  return out;
}

std::map<uint32_t, const Message*> countedSignatures(const Hash256& headerId,
                                                     const std::vector<PublicKey>& drawn,
                                                     const std::vector<const Message*>& all) {
  std::map<uint32_t, const Message*> out;
  for (const Message* m : all) {
    if (m->kind() != schema::Envelope::STAKEHOLDER_SIGNATURE) continue;
    auto b = m->envelope().getStakeholderSignature().getBody();
    const uint32_t k = b.getIndex();
    // Index K is the wrapper's: it signs the block, never the header.
    if (k < 1 || k >= drawn.size() || out.count(k)) continue;
    if (b.getHeaderId().size() != 32 || hashFrom(b.getHeaderId()) != headerId) continue;
    if (b.getPubkey().size() != 32 || hashFrom(b.getPubkey()) != drawn[k - 1]) continue;
    if (!hasValidSignature(*m)) continue;
    out.emplace(k, m);
  }
  return out;
}

std::vector<StakeDuty> stakeDuties(const ChainView& chain, const PublicKey& key,
                                   const std::vector<const Message*>& headers,
                                   const std::vector<const Message*>& signatures) {
  const Hash256 tip = chain.tip().id;
  std::vector<StakeDuty> out;
  for (const Message* h : headers) {
    if (h->kind() != schema::Envelope::BLOCK_HEADER) continue;
    auto header = h->envelope().getBlockHeader();
    auto parent = header.getBody().getParent();
    if (parent.size() != 32 || hashFrom(parent) != tip || !hasValidSignature(*h)) continue;
    auto drawn = stakeholdersOf(chain, header);
    if (!drawn || drawn->empty()) continue;
    const Hash256 id = headerIdOf(header);
    const auto counted = countedSignatures(id, *drawn, signatures);
    const uint32_t k = drawn->size();
    for (uint32_t i = 1; i < k; ++i)
      if ((*drawn)[i - 1] == key && !counted.count(i))
        out.push_back({StakeDuty::Kind::kSign, h, id, i});
    if ((*drawn)[k - 1] == key && counted.size() == k - 1)
      out.push_back({StakeDuty::Kind::kWrap, h, id, k});
  }
  return out;
}

std::vector<const Message*> headersToEndorse(const ChainView& chain,
                                             const std::vector<ArrivedHeader>& headers,
                                             uint64_t nowMs, const EndorsePolicy& policy) {
  const Hash256 tip = chain.tip().id;
  const LedgerReader* state = chain.stateAt(tip);
  std::vector<ArrivedHeader> valid;
  if (!state) return {};
  for (const ArrivedHeader& a : headers) {
    if (a.header->kind() != schema::Envelope::BLOCK_HEADER) continue;
    auto header = a.header->envelope().getBlockHeader();
    auto h = header.getBody();
    if (h.getParent().size() != 32 || hashFrom(h.getParent()) != tip) continue;
    if (h.getPubkey().size() != 32 || h.getCoinstake().getStaker().size() != 32 ||
        h.getModelId().size() != 32 || h.getStateHash().size() != 32)
      continue;
    if (!hasValidSignature(*a.header)) continue;
    // A header that could never make a valid block must not win the draw,
    // or a builder of bogus headers with low kernels would stall every
    // stakeholder until the lock lapses.
    const PublicKey builder = hashFrom(h.getPubkey());
    if (hashFrom(h.getCoinstake().getStaker()) != builder) continue;
    auto target =
        stakeTarget(*state, chain.params(),
                    {StakePhase::kHeader, builder, h.getCoinstake().getAmount(), h.getTimestamp()});
    if (!target || !meetsTarget(kernelOf(header), *target)) continue;
    valid.push_back(a);
  }
  std::vector<const Message*> out;
  if (valid.empty()) return out;
  if (policy.windowMs == 0) {
    for (const auto& a : valid) out.push_back(a.header);
    return out;
  }
  uint64_t first = valid.front().arrivedMs;
  for (const auto& a : valid) first = std::min(first, a.arrivedMs);
  if (nowMs < first + policy.windowMs) return out;  // the window is still open
  if (nowMs >= first + policy.lockMs) {
    for (const auto& a : valid) out.push_back(a.header);
    return out;
  }
  const Message* best = nullptr;
  Hash256 bestKernel, bestId;
  for (const auto& a : valid) {
    if (a.arrivedMs > first + policy.windowMs) continue;
    auto header = a.header->envelope().getBlockHeader();
    const Hash256 k = kernelOf(header), id = headerIdOf(header);
    if (!best || k < bestKernel || (k == bestKernel && id < bestId)) {
      best = a.header;
      bestKernel = k;
      bestId = id;
    }
  }
  out.push_back(best);
  return out;
}

Result<StakeOutput> stakeWithPending(const ChainView& chain, const SigningKey& key,
                                     const BlockParts& parts,
                                     const std::vector<const Message*>& candidates) {
  BlockParts all = parts;
  all.transactions.insert(all.transactions.end(), candidates.begin(), candidates.end());
  auto out = stake(chain, key, all);
  if (out || candidates.empty() || out.status().code() != ExitCode::kInvalid) return out;
  // Rare (the pool already keeps only nonce-ordered, fee-paying ones), so
  // one validation per candidate is cheap enough.
  BlockParts chosen = parts;
  for (const Message* tx : candidates) {
    chosen.transactions.push_back(tx);
    if (!stake(chain, key, chosen)) chosen.transactions.pop_back();
  }
  return stake(chain, key, chosen);
}

}  // namespace pot
