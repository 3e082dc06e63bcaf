// Building a block header: Alg. 2 steps 1-2 (docs/protocol.md, "Headers").
#include "libcommon/consensus/header.h"

#include <capnp/message.h>

#include <set>

#include "libcommon/consensus/declaration.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"

namespace pot {
Bytes signHeader(const SigningKey& key, const HeaderFields& f) {
  capnp::MallocMessageBuilder mb;
  auto h = mb.initRoot<schema::Envelope>().initBlockHeader();
  auto b = h.initBody();
  b.setParent(dataOf(f.parent));
  b.setHeight(f.height);
  b.setModelId(dataOf(f.modelId));
  b.setStage(f.stage);
  b.setStateHash(dataOf(f.stateHash));
  b.setRho(dataOf(f.rho));
  auto ids = b.initDeclarations(f.declarations.size());
  for (size_t i = 0; i < f.declarations.size(); ++i) ids.set(i, dataOf(f.declarations[i]));
  b.setTimestamp(f.timestamp);
  auto cs = b.initCoinstake();
  cs.setStaker(dataOf(key.publicKey()));
  cs.setAmount(f.stakeAmount);
  b.setPubkey(dataOf(key.publicKey()));
  if (f.lossTraceHash) b.setLossTraceHash(dataOf(*f.lossTraceHash));
  Bytes sig = signBody(key, Domain::kHeader, b.asReader());
  h.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return encodeMessage(mb.getRoot<schema::Envelope>().asReader());
}

Result<BuiltHeader> buildHeader(const ChainView& chain, const SigningKey& key,
                                const std::vector<const Message*>& declarations,
                                const BuildHeaderOptions& options, const Clock& clock,
                                std::optional<PosMiss>* miss) {
  const BlockInfo tip = chain.tip();
  const LedgerReader* state = chain.stateAt(tip.id);
  if (!state) return Status::io("no ledger state for the chain tip " + tip.id.hex());
  const ChainParams& params = chain.params();
  BuiltHeader out;
  std::optional<ModelRecord> model;
  for (const Message* m : declarations) {
    if (m->kind() != schema::Envelope::TRAINING_DECLARATION) continue;
    auto id =
        Hash256::fromBytes(m->envelope().getTrainingDeclaration().getBody().getModelId().begin(),
                           m->envelope().getTrainingDeclaration().getBody().getModelId().size());
    if (id) model = state->model(*id);
    if (model) break;
  }
  if (!model) return Status::invalid("no declaration names a model registered on chain");
  DeclarationExpectation expect{model->modelId, model->lastStage + 1, options.stateHash,
                                options.rho, model->anchor};
  // Only the dummy model goes past its t stages (DESIGN 5.8).
  if (!model->active()) return Status::invalid("the model has no stage left to train");
  auto anchor = chain.blockInfo(model->anchor);
  if (!anchor) return Status::io("anchor block " + model->anchor.hex() + " is not in the chain");

  std::set<PublicKey> signers;
  std::vector<Hash256> chosen;
  uint64_t latest = 0;
  const uint64_t horizon = clock.now() + params.maxClockDrift;
  for (size_t i = 0; i < declarations.size(); ++i) {
    const Message* m = declarations[i];
    const std::string name = "declaration " + std::to_string(i + 1);
    if (m->kind() != schema::Envelope::TRAINING_DECLARATION) {
      out.skipped.push_back(name + ": not a training declaration");
      continue;
    }
    auto td = m->envelope().getTrainingDeclaration();
    if (auto why = checkDeclaration(td, expect, *state, params)) {
      out.skipped.push_back(name + ": " + std::string(rejectName(why->reason)) + ": " +
                            why->message);
      continue;
    }
    const uint64_t ts = td.getBody().getTimestamp();
    if (ts <= anchor->timestamp || ts > horizon) {
      out.skipped.push_back(name + ": timestamp " + std::to_string(ts) + " out of range");
      continue;
    }
    if (chosen.size() == model->declarers) {
      out.skipped.push_back(name + ": not needed, C = " + std::to_string(model->declarers) +
                            " already chosen");
      continue;
    }
    if (!signers.insert(hashFrom(td.getBody().getPubkey())).second) {
      out.skipped.push_back(name + ": duplicate-voter: its signer already declared");
      continue;
    }
    chosen.push_back(messageId(Domain::kDeclaration, td.getBody()));
    latest = std::max(latest, ts);
  }
  if (chosen.size() < model->declarers) {
    std::string reasons;
    for (const auto& s : out.skipped) reasons += "; " + s;
    return Status::invalid("only " + std::to_string(chosen.size()) + " of C = " +
                           std::to_string(model->declarers) + " declarations pass" + reasons);
  }

  auto acc = state->account(key.publicKey());
  if (!acc || acc->balance == 0)
    return Status::invalid("key " + key.publicKey().hex() + " holds no coins to stake");
  HeaderFields f;
  f.parent = tip.id;
  f.height = tip.height + 1;
  f.modelId = model->modelId;
  f.stage = expect.stage;
  f.stateHash = options.stateHash;
  f.rho = options.rho;
  f.declarations = chosen;
  f.stakeAmount = options.stakeAmount ? options.stakeAmount : acc->balance;
  f.lossTraceHash = options.lossTraceHash;
  if (f.stakeAmount > acc->balance)
    return Status::invalid("cannot stake " + std::to_string(f.stakeAmount) + ": balance is " +
                           std::to_string(acc->balance));
  auto passes = [&](uint64_t t) {
    auto target =
        stakeTarget(*state, params, {StakePhase::kHeader, key.publicKey(), f.stakeAmount, t});
    if (!target) return false;
    return meetsTarget(posKernel(StakePhase::kHeader, f.parent, key.publicKey(), f.modelId, f.stage,
                                 f.stateHash, t),
                       *target);
  };
  const uint64_t earliest =
      std::max({tip.timestamp + 1, latest, acc->ageSince + params.minStakeAge,
                options.after == UINT64_MAX ? UINT64_MAX : options.after + 1});
  auto t = searchTimestamp(passes, earliest, clock, options.maxWait);
  if (!t && miss) *miss = PosMiss{earliest, clock.now()};
  if (!t)
    return Status::invalid("no passing header timestamp up to " + std::to_string(clock.now()) +
                           " (earliest " + std::to_string(earliest) + ")");
  f.timestamp = *t;
  out.header = signHeader(key, f);
  return out;
}

}  // namespace pot
