// Training declarations: Alg. 1 and the checks every builder and validator applies
// (docs/protocol.md, "Declarations").
#include "libcommon/consensus/declaration.h"

#include <capnp/message.h>

#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"

namespace pot {
Hash256 commitmentOf(const Hash256& rho, const Hash256& rand) {
  Sha256 h;
  h.update(rho);
  h.update(rand);
  return h.finish();
}

Bytes signDeclaration(const SigningKey& key, const DeclarationFields& f) {
  capnp::MallocMessageBuilder mb;
  auto td = mb.initRoot<schema::Envelope>().initTrainingDeclaration();
  auto b = td.initBody();
  b.setModelId(dataOf(f.modelId));
  b.setStage(f.stage);
  b.setStateHash(dataOf(f.stateHash));
  b.setTimestamp(f.timestamp);
  b.setCommitment(dataOf(commitmentOf(f.rho, f.rand)));
  b.setRand(dataOf(f.rand));
  auto cs = b.initCoinstake();
  cs.setStaker(dataOf(key.publicKey()));
  cs.setAmount(f.stakeAmount);
  b.setPubkey(dataOf(key.publicKey()));
  b.setAnchor(dataOf(f.anchor));
  Bytes sig = signBody(key, Domain::kDeclaration, b.asReader());
  td.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return encodeMessage(mb.getRoot<schema::Envelope>().asReader());
}

Result<Bytes> declare(const ChainView& chain, const SigningKey& key, const DeclareOptions& options,
                      const Clock& clock, std::optional<PosMiss>* miss) {
  const BlockInfo tip = chain.tip();
  const LedgerReader* state = chain.stateAt(tip.id);
  if (!state) return Status::io("no ledger state for the chain tip " + tip.id.hex());
  auto model = state->model(options.modelId);
  if (!model)
    return Status::invalid("model " + options.modelId.hex() + " is not registered on chain");
  const uint32_t next = model->lastStage + 1;
  if (options.stage != 0 && options.stage != next)
    return Status::invalid("stage " + std::to_string(options.stage) +
                           " is not next: the chain has stage " + std::to_string(model->lastStage) +
                           " of " + std::to_string(model->stagesTotal) + " for this model");
  // Only the dummy model goes past its t stages (DESIGN 5.8).
  if (!model->active()) return Status::invalid("the model has no stage left to train");
  auto anchor = chain.blockInfo(model->anchor);
  if (!anchor) return Status::io("anchor block " + model->anchor.hex() + " is not in the chain");
  auto acc = state->account(key.publicKey());
  if (!acc || acc->balance == 0)
    return Status::invalid("key " + key.publicKey().hex() + " holds no coins to stake");
  DeclarationFields f;
  f.modelId = options.modelId;
  f.stage = next;
  f.stateHash = options.stateHash;
  f.rho = options.rho;
  secureRandom(f.rand.data(), f.rand.size());
  f.anchor = model->anchor;
  f.stakeAmount = options.stakeAmount ? options.stakeAmount : acc->balance;
  if (f.stakeAmount > acc->balance)
    return Status::invalid("cannot stake " + std::to_string(f.stakeAmount) + ": balance is " +
                           std::to_string(acc->balance));
  const ChainParams& params = chain.params();
  auto passes = [&](uint64_t t) {
    auto target =
        stakeTarget(*state, params, {StakePhase::kDeclaration, key.publicKey(), f.stakeAmount, t});
    if (!target) return false;
    return meetsTarget(posKernel(StakePhase::kDeclaration, f.anchor, key.publicKey(), f.modelId,
                                 f.stage, f.stateHash, t),
                       *target);
  };
  const uint64_t earliest = std::max(anchor->timestamp + 1, acc->ageSince + params.minStakeAge);
  auto t = searchTimestamp(passes, earliest, clock, options.maxWait);
  if (!t && miss) *miss = PosMiss{earliest, clock.now()};
  if (!t)
    return Status::invalid("no passing declaration timestamp up to " + std::to_string(clock.now()) +
                           " (earliest " + std::to_string(earliest) + ")");
  f.timestamp = *t;
  return signDeclaration(key, f);
}

std::optional<Rejection> checkDeclaration(schema::TrainingDeclaration::Reader td,
                                          const DeclarationExpectation& expected,
                                          const LedgerReader& state, const ChainParams& params,
                                          bool signatureVerified) {
  auto b = td.getBody();
  const std::string who = "declaration by " + toHex(b.getPubkey().begin(), b.getPubkey().size());
  for (auto d : {b.getModelId(), b.getStateHash(), b.getCommitment(), b.getRand(), b.getPubkey(),
                 b.getAnchor(), b.getCoinstake().getStaker()})
    if (d.size() != 32)
      return Rejection{RejectReason::kBadFieldSize, who + " has a field that is not 32 bytes"};
  const PublicKey pub = hashFrom(b.getPubkey());
  auto sig = td.getSignature();
  if (!signatureVerified && !verifyBody(pub, Domain::kDeclaration, b, sig.begin(), sig.size()))
    return Rejection{RejectReason::kBadTdSig, who + ": signature does not verify"};
  if (hashFrom(b.getModelId()) != expected.modelId)
    return Rejection{RejectReason::kTdWrongModel,
                     who + " is for model " + hashFrom(b.getModelId()).hex()};
  if (b.getStage() != expected.stage)
    return Rejection{RejectReason::kTdWrongStage, who + " is for stage " +
                                                      std::to_string(b.getStage()) + ", not " +
                                                      std::to_string(expected.stage)};
  if (hashFrom(b.getAnchor()) != expected.anchor)
    return Rejection{RejectReason::kTdWrongAnchor,
                     who + " anchors at " + hashFrom(b.getAnchor()).hex() +
                         ", not the model's last block " + expected.anchor.hex()};
  if (hashFrom(b.getStateHash()) != expected.stateHash)
    return Rejection{RejectReason::kStateHashMismatch,
                     who + " claims state " + hashFrom(b.getStateHash()).hex() + ", the header " +
                         expected.stateHash.hex()};
  if (commitmentOf(expected.rho, hashFrom(b.getRand())) != hashFrom(b.getCommitment()))
    return Rejection{RejectReason::kTdCommitmentMismatch,
                     who + ": commitment is not H(rho || rand) for the revealed rho"};
  if (hashFrom(b.getCoinstake().getStaker()) != pub)
    return Rejection{RejectReason::kBadCoinstake, who + " stakes coins of another key"};
  Rejection why;
  auto target = stakeTarget(
      state, params,
      {StakePhase::kDeclaration, pub, b.getCoinstake().getAmount(), b.getTimestamp()}, &why);
  if (!target) return Rejection{why.reason, who + ": " + why.message};
  if (!meetsTarget(posKernel(StakePhase::kDeclaration, expected.anchor, pub, expected.modelId,
                             b.getStage(), expected.stateHash, b.getTimestamp()),
                   *target))
    return Rejection{RejectReason::kTdKernelAboveTarget, who + ": PoS kernel is above its target"};
  return std::nullopt;
}

}  // namespace pot
