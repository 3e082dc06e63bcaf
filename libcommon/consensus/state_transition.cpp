// The block transition (docs/protocol.md, "Applying a block"): apply a block to a ledger, undo it.
#include "libcommon/consensus/state_transition.h"

#include <algorithm>
#include <set>

#include "libcommon/consensus/rewards.h"
#include "libcommon/consensus/training_request.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"

namespace pot {

// Exact products of 64-bit amounts (a GCC/Clang extension).
__extension__ typedef unsigned __int128 Uint128;
namespace {

// Records every first touch so the block can be undone exactly.
class UndoRecorder {
 public:
  UndoRecorder(LedgerStore& store, BlockUndo& undo) : store_(store), undo_(undo) {}

  Account get(const Address& a) {
    auto acc = store_.account(a);
    return acc ? *acc : Account{};
  }
  Status put(const Address& a, const Account& acc) {
    if (seenAccounts_.insert(a).second) undo_.accounts.emplace_back(a, store_.account(a));
    return store_.putAccount(a, acc);
  }
  Status putModel(const ModelRecord& m) {
    if (seenModels_.insert(m.modelId).second)
      undo_.models.emplace_back(m.modelId, store_.model(m.modelId));
    return store_.putModel(m);
  }

 private:
  LedgerStore& store_;
  BlockUndo& undo_;
  std::set<Address> seenAccounts_;
  std::set<Hash256> seenModels_;
};

Status fail(Rejection* why, RejectReason reason, const std::string& message) {
  if (why) *why = {reason, message};
  return Status::invalid(std::string(rejectName(reason)) + ": " + message);
}

}  // namespace

Result<BlockUndo> applyBlock(LedgerStore& store, schema::Block::Reader block,
                             const ChainParams& params, const Hash256& blockId, Rejection* failure,
                             bool signaturesVerified) {
  BlockUndo undo;
  undo.blockId = blockId;
  undo.totalSupply = store.totalSupply();
  UndoRecorder rec(store, undo);
  auto body = block.getBody();
  auto header = body.getHeader().getBody();
  const uint64_t now = header.getTimestamp();
  const Hash256 modelId = hashFrom(header.getModelId());

  auto model = store.model(modelId);
  if (!model)
    return fail(failure, RejectReason::kUnknownModel,
                "model " + modelId.hex() + " is not registered");
  const ModelRecord parentModel = *model;
  // The stage fee is paid from the escrow as it stood at the parent (DESIGN 5.6).
  const uint64_t parentEscrow = rec.get(parentModel.escrow).balance;

  // Stakes used in this block restart their coin age (DESIGN 5.1).
  std::vector<PublicKey> stakers;
  for (auto td : body.getDeclarations())
    stakers.push_back(hashFrom(td.getBody().getCoinstake().getStaker()));
  stakers.push_back(hashFrom(header.getCoinstake().getStaker()));
  for (const auto& s : stakers) {
    Account acc = rec.get(s);
    acc.ageSince = now;
    POT_TRY(rec.put(s, acc));
  }

  // The stage is recorded: this block becomes the model's anchor.
  ModelRecord progressed = parentModel;
  progressed.lastStage = header.getStage();
  progressed.lastStateHash = hashFrom(header.getStateHash());
  progressed.anchor = blockId;
  progressed.lastHeight = header.getHeight();
  POT_TRY(rec.putModel(progressed));

  // Transactions, in block order.
  uint64_t fees = 0;
  std::set<Hash256> txIds;
  int index = 0;
  for (auto tx : body.getTransactions()) {
    const std::string where = "transaction " + std::to_string(index++);
    auto tb = tx.getBody();
    const Address sender = hashFrom(tb.getSender());
    if (!txIds.insert(messageId(Domain::kTx, tb)).second)
      return fail(failure, RejectReason::kDuplicateTx, where + " appears twice in the block");
    if (isEscrow(store, sender))
      return fail(
          failure, RejectReason::kEscrowWithoutStage,
          where + " spends from escrow " + sender.hex() + ": escrow pays only stage rewards");
    Account from = rec.get(sender);
    if (tb.getNonce() != from.nonce)
      return fail(failure, RejectReason::kBadNonce,
                  where + " has nonce " + std::to_string(tb.getNonce()) + ", expected " +
                      std::to_string(from.nonce));
    uint64_t amount = tb.isTransfer() ? tb.getTransfer().getAmount() : 0;
    Uint128 cost = (Uint128)amount + tb.getFee();
    if (cost > from.balance) {
      // A double spend: the sender could pay this alone, not after the block's earlier spends.
      uint64_t original = from.balance;
      for (const auto& [a, prev] : undo.accounts)
        if (a == sender) original = prev ? prev->balance : 0;
      if (cost <= original)
        return fail(failure, RejectReason::kDoubleSpend,
                    where + " spends coins an earlier transaction of the block spent");
      return fail(failure, RejectReason::kInsufficientBalance,
                  where + " spends " +
                      std::to_string((uint64_t)std::min<Uint128>(cost, UINT64_MAX)) + " but " +
                      sender.hex() + " has " + std::to_string(from.balance));
    }
    if (fees + tb.getFee() < fees)
      return fail(failure, RejectReason::kBadTx, where + ": fees overflow");
    fees += tb.getFee();
    from.balance -= static_cast<uint64_t>(cost);
    from.nonce += 1;
    POT_TRY(rec.put(sender, from));
    if (tb.isTransfer()) {
      auto tr = tb.getTransfer();
      if (tr.getTo().size() != 32)
        return fail(failure, RejectReason::kBadTx, where + ": recipient is not 32 bytes");
      const Address to = hashFrom(tr.getTo());
      Account dest = rec.get(to);
      if (dest.balance + amount < dest.balance)
        return fail(failure, RejectReason::kBadTx, where + ": balance overflow");
      dest.ageSince = mergedAgeSince(dest.balance, dest.ageSince, amount, now);
      dest.balance += amount;
      POT_TRY(rec.put(to, dest));
    } else if (tb.isRegisterModel()) {
      auto request = tb.getRegisterModel();
      auto rb = request.getBody();
      auto employer = Hash256::fromBytes(rb.getEmployer().begin(), rb.getEmployer().size());
      auto sig = request.getSignature();
      if (!employer || (!signaturesVerified &&
                        !verifyBody(*employer, Domain::kRequest, rb, sig.begin(), sig.size())))
        return fail(failure, RejectReason::kBadRequestSig,
                    where + ": the training request's signature does not verify");
      // The request as a stage would check it (docs/protocol.md "Registering a request").
      if (Rejection bad = checkTrainingRequest(rb, params.minDeclarers, params.maxDeclarers);
          bad.reason != RejectReason::kNone)
        return fail(failure, bad.reason, where + ": " + bad.message);
      auto record = modelRecordFor(request, blockId, header.getHeight(), false);
      if (!record)
        return fail(failure, RejectReason::kBadRequest, where + ": " + record.status().message());
      if (store.model(record->modelId))
        return fail(failure, RejectReason::kDuplicateModel,
                    where + " registers model " + record->modelId.hex() + " again");
      POT_TRY(rec.putModel(*record));
      // Written once: undoing the registration (the model did not exist
      // before) erases it with the record.
      POT_TRY(store.putRequest(record->modelId, requestFileOf(request)));
    } else {
      return fail(failure, RejectReason::kBadTx, where + " has an unknown kind");
    }
  }

  // The coinbase, recomputed (DESIGN 5.6): minted rewards, escrow stage fee, fees.
  CoinbaseInputs in = coinbaseInputsOf(body);
  in.escrowBalance = parentEscrow;
  in.feePerStage = parentModel.feePerStage;
  in.transactionFees = fees;
  uint64_t supply = store.totalSupply();
  for (const Payout& p : computeCoinbase(params, in)) {
    if (p.kind == schema::PayoutKind::STAGE_FEE) {
      Account escrow = rec.get(parentModel.escrow);
      if (escrow.balance < p.amount) return Status::internal("stage fee exceeds escrow");
      escrow.balance -= p.amount;
      POT_TRY(rec.put(parentModel.escrow, escrow));
    } else if (p.kind != schema::PayoutKind::TRANSACTION_FEES) {
      if (supply + p.amount < supply)
        return fail(failure, RejectReason::kBadCoinbase, "total supply overflows");
      supply += p.amount;
    }
    Account dest = rec.get(p.to);
    if (dest.balance + p.amount < dest.balance)
      return fail(failure, RejectReason::kBadCoinbase, "balance overflows");
    dest.ageSince = mergedAgeSince(dest.balance, dest.ageSince, p.amount, now);
    dest.balance += p.amount;
    POT_TRY(rec.put(p.to, dest));
  }
  POT_TRY(store.setTotalSupply(supply));
  return undo;
}

Status undoBlock(LedgerStore& store, const BlockUndo& undo) {
  for (auto it = undo.accounts.rbegin(); it != undo.accounts.rend(); ++it) {
    if (it->second)
      POT_TRY(store.putAccount(it->first, *it->second));
    else
      POT_TRY(store.eraseAccount(it->first));
  }
  for (auto it = undo.models.rbegin(); it != undo.models.rend(); ++it) {
    if (it->second)
      POT_TRY(store.putModel(*it->second));
    else
      POT_TRY(store.eraseModel(it->first));
  }
  return store.setTotalSupply(undo.totalSupply);
}

}  // namespace pot
