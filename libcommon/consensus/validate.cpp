// Block validation: the rules of DESIGN 5.7 in order, first failure named (docs/protocol.md,
// "Reject codes").
#include "libcommon/consensus/validate.h"

#include <cassert>
#include <set>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/declaration.h"
#include "libcommon/consensus/poa.h"
#include "libcommon/consensus/pos.h"
#include "libcommon/consensus/state_transition.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/json_writer.h"

namespace pot {
namespace {

bool is32(capnp::Data::Reader d) { return d.size() == 32; }

}  // namespace

ExitCode ValidationResult::exitCode() const {
  switch (verdict) {
    case Verdict::kValid:
      return ExitCode::kOk;
    case Verdict::kInvalid:
      return ExitCode::kInvalid;
    case Verdict::kMalformed:
      return ExitCode::kMalformed;
    case Verdict::kError:
      return ExitCode::kIo;
  }
  return ExitCode::kInternal;
}

Status ValidationResult::toStatus() const {
  const std::string msg = std::string(rejectName(reason)) + ": " + message;
  switch (verdict) {
    case Verdict::kValid:
      return Status::ok();
    case Verdict::kMalformed:
      return Status::malformed(msg);
    case Verdict::kError:
      return Status::io(msg);
    default:
      return Status::invalid(msg);
  }
}

std::string ValidationResult::toJson() const {
  JsonWriter j;
  j.beginObject()
      .field("valid", valid())
      .field("code", rejectName(reason))
      .field("message", message);
  if (valid())
    j.field("id", blockId.hex())
        .field("trust", trust.hex())
        .field("height", height)
        .field("model", modelId.hex())
        .field("stage", stage)
        .field("reexecuted", reexecuted);
  return j.endObject().str();
}

ValidationResult reject(RejectReason reason, const std::string& message, Verdict verdict) {
  assert(reason != RejectReason::kNone && "a reject names its reason");
  ValidationResult r;
  r.verdict = verdict;
  r.reason = reason;
  r.message = message;
  return r;
}

RejectReason undecodableReason(DecodeFailure failure) {
  return failure == DecodeFailure::kNonCanonical ? RejectReason::kNonCanonical
                                                 : RejectReason::kMalformed;
}

ValidationResult validateBlockBytes(const ChainView& chain, Bytes bytes, uint64_t now) {
  DecodeFailure failure;
  auto m = decodeMessage(std::move(bytes), {}, &failure);
  if (!m) return reject(undecodableReason(failure), m.status().message(), Verdict::kMalformed);
  return validateBlock(chain, **m, now);
}

ValidationResult validateBlock(const ChainView& chain, const Message& message, uint64_t now,
                               const BlockSignatures* checked) {
  if (message.kind() != schema::Envelope::BLOCK)
    return reject(RejectReason::kNotABlock, "expected a block, got a " + kindName(message.kind()),
                  Verdict::kMalformed);
  const ChainParams& params = chain.params();
  auto block = message.envelope().getBlock();
  auto body = block.getBody();
  auto hdr = body.getHeader();
  auto h = hdr.getBody();

  // Field sizes first, so every later rule reads well-formed hashes and keys.
  if (!is32(h.getParent()) || !is32(h.getModelId()) || !is32(h.getStateHash()) ||
      !is32(h.getRho()) || !is32(h.getPubkey()) || !is32(h.getCoinstake().getStaker()) ||
      !is32(body.getWrapper()) || (h.getLossTraceHash().size() != 0 && !is32(h.getLossTraceHash())))
    return reject(RejectReason::kBadFieldSize, "a header or block field is not 32 bytes");
  for (auto id : h.getDeclarations())
    if (!is32(id))
      return reject(RejectReason::kBadFieldSize, "a declaration id in the header is not 32 bytes");
  for (auto s : body.getStakeholderSignatures())
    if (!is32(s.getBody().getHeaderId()) || !is32(s.getBody().getPubkey()))
      return reject(RejectReason::kBadFieldSize, "a stakeholder signature field is not 32 bytes");
  if (body.getTransactions().size() > kMaxTransactionsPerBlock)
    return reject(RejectReason::kTooManyTransactions,
                  std::to_string(body.getTransactions().size()) + " transactions, at most " +
                      std::to_string(kMaxTransactionsPerBlock) + " per block");
  for (auto tx : body.getTransactions())
    if (!is32(tx.getBody().getSender()))
      return reject(RejectReason::kBadFieldSize, "a transaction sender is not 32 bytes");

  // Place in the chain (DESIGN 5.7): parent, height, time.
  const Hash256 parentId = hashFrom(h.getParent());
  auto parent = chain.blockInfo(parentId);
  if (!parent)
    return reject(RejectReason::kUnknownParent,
                  "parent " + parentId.hex() + " is not a known block");
  if (h.getHeight() != parent->height + 1)
    return reject(RejectReason::kBadHeight, "height " + std::to_string(h.getHeight()) +
                                                ", parent is at " + std::to_string(parent->height));
  if (h.getTimestamp() <= parent->timestamp)
    return reject(RejectReason::kTimeTooOld, "header time " + std::to_string(h.getTimestamp()) +
                                                 " is not after its parent's " +
                                                 std::to_string(parent->timestamp));
  if (now != UINT64_MAX && h.getTimestamp() > now + params.maxClockDrift)
    return reject(RejectReason::kTimeTooNew,
                  "header time " + std::to_string(h.getTimestamp()) + " is more than " +
                      std::to_string(params.maxClockDrift) + " s ahead of " + std::to_string(now));
  const LedgerReader* state = chain.stateAt(parentId);
  if (!state)
    return reject(RejectReason::kNoParentState, "no ledger state for parent " + parentId.hex(),
                  Verdict::kError);

  // The model and its next stage.
  const Hash256 modelId = hashFrom(h.getModelId());
  auto model = state->model(modelId);
  if (!model)
    return reject(RejectReason::kUnknownModel, "model " + modelId.hex() + " is not registered");
  if (h.getStage() != model->lastStage + 1 || !model->active())
    return reject(RejectReason::kStageOutOfOrder, "stage " + std::to_string(h.getStage()) +
                                                      " but the chain has stage " +
                                                      std::to_string(model->lastStage) + " of " +
                                                      std::to_string(model->stagesTotal));

  // A block whose every signature was checked ahead (bulk import) asks
  // none of them again, and the ids found then are not hashed again; any
  // other block asks each signature, in this order.
  const bool others = checked != nullptr && checked->othersChecked;
  const bool allVerified = checked != nullptr && checked->allVerified;
  const Hash256 blockId = checked ? checked->blockId : blockIdOf(block);
  auto verified = [&](const PublicKey& key, Domain domain, capnp::DynamicStruct::Reader body,
                      capnp::Data::Reader sig) {
    if (allVerified || (domain == Domain::kBlock && checked && checked->wrapperVerified))
      return true;
    return verifyBody(key, domain, body, sig.begin(), sig.size());
  };

  // The header's signature.
  const Hash256 headerId = others ? checked->headerId : headerIdOf(hdr);
  {
    auto sig = hdr.getSignature();
    if (!verified(hashFrom(h.getPubkey()), Domain::kHeader, h, sig))
      return reject(RejectReason::kBadHeaderSig, "the header's signature does not verify");
  }
  // The header's stake (DESIGN 5.2) right after its signature, before the
  // other signatures: a forged block must pass a real PoS kernel before it
  // can make the validator verify its declarations and transactions.
  const PublicKey builder = hashFrom(h.getPubkey());
  if (hashFrom(h.getCoinstake().getStaker()) != builder)
    return reject(RejectReason::kBadCoinstake, "the header stakes coins of another key");
  Rejection why;
  auto target = stakeTarget(
      *state, params,
      {StakePhase::kHeader, builder, h.getCoinstake().getAmount(), h.getTimestamp()}, &why);
  if (!target) return reject(why.reason, "header: " + why.message);
  const Hash256 headerKernel =
      posKernel(StakePhase::kHeader, parentId, builder, modelId, h.getStage(),
                hashFrom(h.getStateHash()), h.getTimestamp());
  if (!meetsTarget(headerKernel, *target))
    return reject(RejectReason::kHeaderKernelAboveTarget,
                  "the header's PoS kernel is above its target");

  // Every other signature.
  int n = 0;
  for (auto td : body.getDeclarations()) {
    ++n;
    auto b = td.getBody();
    auto sig = td.getSignature();
    if (b.getPubkey().size() != 32 ||
        !verified(hashFrom(b.getPubkey()), Domain::kDeclaration, b, sig))
      return reject(RejectReason::kBadTdSig,
                    "declaration " + std::to_string(n) + ": signature does not verify");
  }
  n = 0;
  for (auto s : body.getStakeholderSignatures()) {
    ++n;
    auto sig = s.getSignature();
    if (!verified(hashFrom(s.getBody().getPubkey()), Domain::kStakeSig, s.getBody(), sig))
      return reject(RejectReason::kBadStakeSig,
                    "stakeholder signature " + std::to_string(n) + " does not verify");
  }
  {
    auto sig = block.getSignature();
    if (!verified(hashFrom(body.getWrapper()), Domain::kBlock, body, sig))
      return reject(RejectReason::kBadBlockSig, "the wrapper's block signature does not verify");
  }
  n = 0;
  for (auto tx : body.getTransactions()) {
    ++n;
    const Address sender = hashFrom(tx.getBody().getSender());
    // An escrow has no key: whatever it "signs" is a spend outside a stage.
    if (isEscrow(*state, sender))
      return reject(RejectReason::kEscrowWithoutStage, "transaction " + std::to_string(n) +
                                                           " spends from escrow " + sender.hex() +
                                                           ": escrow pays only stage rewards");
    auto sig = tx.getSignature();
    if (!verified(sender, Domain::kTx, tx.getBody(), sig))
      return reject(RejectReason::kBadTxSig,
                    "transaction " + std::to_string(n) + ": signature does not verify");
  }

  // Exactly C distinct declarers, named by the header in block order.
  const uint32_t c = model->declarers;
  if (h.getDeclarations().size() != c)
    return reject(RejectReason::kWrongDeclarerCount,
                  "the header names " + std::to_string(h.getDeclarations().size()) +
                      " declarations, the model needs C = " + std::to_string(c));
  if (body.getDeclarations().size() != c)
    return reject(RejectReason::kDeclarationMismatch,
                  "the block carries " + std::to_string(body.getDeclarations().size()) +
                      " declarations, its header names " + std::to_string(c));
  std::set<PublicKey> voters;
  for (uint32_t i = 0; i < c; ++i) {
    auto td = body.getDeclarations()[i];
    const Hash256 tdId = others && i < checked->declarationIds.size()
                             ? checked->declarationIds[i]
                             : messageId(Domain::kDeclaration, td.getBody());
    if (tdId != hashFrom(h.getDeclarations()[i]))
      return reject(
          RejectReason::kDeclarationMismatch,
          "declaration " + std::to_string(i + 1) + " is not the one its header names there");
    if (!voters.insert(hashFrom(td.getBody().getPubkey())).second)
      return reject(RejectReason::kDuplicateVoter, "declaration " + std::to_string(i + 1) +
                                                       " repeats signer " +
                                                       hashFrom(td.getBody().getPubkey()).hex());
  }
  auto anchor = chain.blockInfo(model->anchor);
  if (!anchor)
    return reject(RejectReason::kNoAnchor, "anchor block " + model->anchor.hex() + " is unknown",
                  Verdict::kError);
  DeclarationExpectation expect{modelId, h.getStage(), hashFrom(h.getStateHash()),
                                hashFrom(h.getRho()), model->anchor};
  for (uint32_t i = 0; i < c; ++i) {
    auto td = body.getDeclarations()[i];
    const uint64_t ts = td.getBody().getTimestamp();
    if (ts <= anchor->timestamp)
      return reject(RejectReason::kTimeTooOld,
                    "declaration " + std::to_string(i + 1) + " time " + std::to_string(ts) +
                        " is not after its anchor's " + std::to_string(anchor->timestamp));
    if (ts > h.getTimestamp())
      return reject(RejectReason::kTdAfterHeader,
                    "declaration " + std::to_string(i + 1) + " time " + std::to_string(ts) +
                        " is after the header's " + std::to_string(h.getTimestamp()));
    if (auto why = checkDeclaration(td, expect, *state, params, /*signatureVerified=*/true))
      return reject(why->reason, why->message);
  }

  // Proof of activity: the K stakeholders recomputed (DESIGN 5.5), drawn
  // from the kernel so the builder cannot re-draw them (see poa.h).
  auto drawn = followTheCoin(*state, headerKernel, params.stakeholders);
  if (!drawn)
    return reject(RejectReason::kNoStakeholders, drawn.status().message(), Verdict::kError);
  const uint32_t k = params.stakeholders;
  if (body.getStakeholderSignatures().size() != k - 1)
    return reject(RejectReason::kWrongStakeholder,
                  "the block carries " + std::to_string(body.getStakeholderSignatures().size()) +
                      " stakeholder signatures, K - 1 = " + std::to_string(k - 1));
  for (uint32_t i = 0; i + 1 < k; ++i) {
    auto s = body.getStakeholderSignatures()[i].getBody();
    if (s.getIndex() != i + 1 || hashFrom(s.getHeaderId()) != headerId ||
        hashFrom(s.getPubkey()) != (*drawn)[i])
      return reject(RejectReason::kWrongStakeholder,
                    "stakeholder signature " + std::to_string(i + 1) + " is not stakeholder " +
                        std::to_string(i + 1) + " (" + (*drawn)[i].hex() +
                        ") endorsing this header");
  }
  if (hashFrom(body.getWrapper()) != (*drawn)[k - 1])
    return reject(RejectReason::kWrongStakeholder,
                  "the wrapper is not stakeholder K (" + (*drawn)[k - 1].hex() + ")");

  // Transactions and state rules, simulated on the parent state.
  OverlayLedger scratch(*state);
  Rejection fail;
  auto undo = applyBlock(scratch, block, params, blockId, &fail, allVerified);
  if (!undo) {
    if (fail.reason == RejectReason::kNone)
      return reject(RejectReason::kApplyFailed, undo.status().message(), Verdict::kError);
    return reject(fail.reason, fail.message);
  }

  // Rewards, derived and compared exactly (DESIGN 5.6).
  auto expected = expectedCoinbase(chain, block);
  if (!expected) {
    // The coinbase cannot be derived only when our own state fails to give
    // its inputs: an error, never the sender's fault (isPeerFault).
    if (expected.status().code() != ExitCode::kInvalid)
      return reject(RejectReason::kApplyFailed, expected.status().message(), Verdict::kError);
    return reject(RejectReason::kBadCoinbase, expected.status().message());
  }
  auto got = body.getCoinbase();
  bool same = got.size() == expected->size();
  for (size_t i = 0; same && i < got.size(); ++i) {
    const Payout& e = (*expected)[i];
    same = is32(got[i].getTo()) && hashFrom(got[i].getTo()) == e.to &&
           got[i].getAmount() == e.amount && got[i].getKind() == e.kind;
  }
  if (!same)
    return reject(RejectReason::kBadCoinbase, "the coinbase differs from the recomputed one (" +
                                                  std::to_string(expected->size()) +
                                                  " payouts expected)");

  ValidationResult ok;
  ok.blockId = blockId;
  ok.headerTarget = *target;
  ok.height = h.getHeight();
  ok.modelId = modelId;
  ok.stage = h.getStage();
  // Trust comes from the chain's header difficulty, never from the
  // staker's weighted target: that one shrinks with the coinstake amount the
  // builder picks after seeing its kernel, and would make a lightly staked
  // header outweigh many honest ones (docs/protocol.md, "Fork choice").
  ok.trust = blockTrust(params.headerBaseTarget);
  return ok;
}

}  // namespace pot
