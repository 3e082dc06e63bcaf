// Ledger state and the block transition (docs/protocol.md, "Ledger").
#include "libcommon/ledger.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "libcommon/canonical.h"
#include "libcommon/data_field.h"
#include "libcommon/genesis.h"
#include "libcommon/rewards.h"
#include "libcommon/signatures.h"

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

Status fail(Rejection* why, const std::string& code, const std::string& message) {
  if (why) *why = {code, message};
  return Status::invalid(code + ": " + message);
}

void writeAccount(schema::AccountState::Builder b, const Account& a) {
  b.setBalance(a.balance);
  b.setNonce(a.nonce);
  b.setAgeSince(a.ageSince);
}
Account readAccount(schema::AccountState::Reader r) {
  return Account{r.getBalance(), r.getNonce(), r.getAgeSince()};
}

void writeModel(schema::ModelProgress::Builder b, const ModelRecord& m) {
  b.setModelId(dataOf(m.modelId));
  b.setEscrow(dataOf(m.escrow));
  b.setFeePerStage(m.feePerStage);
  b.setDeclarers(m.declarers);
  b.setStagesTotal(m.stagesTotal);
  b.setLastStage(m.lastStage);
  b.setLastStateHash(dataOf(m.lastStateHash));
  b.setAnchor(dataOf(m.anchor));
  b.setRegistrationHeight(m.registrationHeight);
  b.setLastHeight(m.lastHeight);
  b.setIsDummy(m.isDummy);
  if (!m.request.empty()) {
    auto msg = decodeMessage(m.request);
    if (msg && (*msg)->kind() == schema::Envelope::TRAINING_REQUEST)
      b.setRequest((*msg)->envelope().getTrainingRequest());
  }
}
ModelRecord readModel(schema::ModelProgress::Reader r) {
  ModelRecord m;
  m.modelId = hashFrom(r.getModelId());
  m.escrow = hashFrom(r.getEscrow());
  m.feePerStage = r.getFeePerStage();
  m.declarers = r.getDeclarers();
  m.stagesTotal = r.getStagesTotal();
  m.lastStage = r.getLastStage();
  m.lastStateHash = hashFrom(r.getLastStateHash());
  m.anchor = hashFrom(r.getAnchor());
  m.registrationHeight = r.getRegistrationHeight();
  m.lastHeight = r.getLastHeight();
  m.isDummy = r.getIsDummy();
  if (r.hasRequest()) {
    capnp::MallocMessageBuilder mb;
    mb.initRoot<schema::Envelope>().setTrainingRequest(r.getRequest());
    m.request = encodeMessage(mb.getRoot<schema::Envelope>().asReader());
  }
  return m;
}

template <typename Root>
Bytes encodeRoot(capnp::MallocMessageBuilder& mb) {
  return canonicalBytes(mb.getRoot<Root>().asReader());
}

// Standalone records are the canonical words of one root struct.
template <typename Root, typename F>
auto decodeRoot(const Bytes& bytes, F read)
    -> Result<decltype(read(std::declval<typename Root::Reader>()))> {
  if (bytes.empty() || bytes.size() % 8 != 0) return Status::malformed("bad ledger record size");
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / 8);
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  try {
    capnp::ReaderOptions options;
    options.traversalLimitInWords = words.size() * 4 + 1024;
    // Canonical form is a single segment without a frame: read it as such.
    kj::ArrayPtr<const capnp::word> segs[1] = {words.asPtr()};
    capnp::SegmentArrayMessageReader seg(kj::arrayPtr(segs, 1), options);
    return read(seg.getRoot<Root>());
  } catch (const kj::Exception& e) {
    return Status::malformed(std::string("bad ledger record: ") + e.getDescription().cStr());
  }
}

}  // namespace

bool operator==(const ModelRecord& a, const ModelRecord& b) {
  return a.modelId == b.modelId && a.escrow == b.escrow && a.feePerStage == b.feePerStage &&
         a.declarers == b.declarers && a.stagesTotal == b.stagesTotal &&
         a.lastStage == b.lastStage && a.lastStateHash == b.lastStateHash && a.anchor == b.anchor &&
         a.registrationHeight == b.registrationHeight && a.lastHeight == b.lastHeight &&
         a.isDummy == b.isDummy && a.request == b.request;
}

// ---- MemoryLedger

std::optional<Account> MemoryLedger::account(const Address& address) const {
  auto it = accounts_.find(address);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}
void MemoryLedger::forEachAccount(
    const std::function<bool(const Address&, const Account&)>& visit) const {
  for (const auto& [a, acc] : accounts_)
    if (!visit(a, acc)) return;
}
std::optional<ModelRecord> MemoryLedger::model(const Hash256& modelId) const {
  auto it = models_.find(modelId);
  if (it == models_.end()) return std::nullopt;
  return it->second;
}
void MemoryLedger::forEachModel(const std::function<bool(const ModelRecord&)>& visit) const {
  for (const auto& [id, m] : models_)
    if (!visit(m)) return;
}
Status MemoryLedger::putAccount(const Address& address, const Account& account) {
  accounts_[address] = account;
  return Status::ok();
}
Status MemoryLedger::eraseAccount(const Address& address) {
  accounts_.erase(address);
  return Status::ok();
}
Status MemoryLedger::putModel(const ModelRecord& record) {
  models_[record.modelId] = record;
  return Status::ok();
}
Status MemoryLedger::eraseModel(const Hash256& modelId) {
  models_.erase(modelId);
  return Status::ok();
}
Status MemoryLedger::setTotalSupply(uint64_t supply) {
  supply_ = supply;
  return Status::ok();
}

// ---- OverlayLedger

std::optional<Account> OverlayLedger::account(const Address& address) const {
  auto it = accounts_.find(address);
  if (it != accounts_.end()) return it->second;
  return base_.account(address);
}
void OverlayLedger::forEachAccount(
    const std::function<bool(const Address&, const Account&)>& visit) const {
  // Merge the base's ordered walk with the overlay's ordered map.
  auto it = accounts_.begin();
  bool stopped = false;
  auto flushBefore = [&](const Address* limit) {
    while (!stopped && it != accounts_.end() && (limit == nullptr || it->first < *limit)) {
      if (it->second && !visit(it->first, *it->second)) stopped = true;
      ++it;
    }
  };
  base_.forEachAccount([&](const Address& a, const Account& acc) {
    flushBefore(&a);
    if (stopped) return false;
    if (it != accounts_.end() && it->first == a) {
      if (it->second && !visit(a, *it->second)) stopped = true;
      ++it;
    } else if (!visit(a, acc)) {
      stopped = true;
    }
    return !stopped;
  });
  flushBefore(nullptr);
}
std::optional<ModelRecord> OverlayLedger::model(const Hash256& modelId) const {
  auto it = models_.find(modelId);
  if (it != models_.end()) return it->second;
  return base_.model(modelId);
}
void OverlayLedger::forEachModel(const std::function<bool(const ModelRecord&)>& visit) const {
  bool stopped = false;
  base_.forEachModel([&](const ModelRecord& m) {
    auto it = models_.find(m.modelId);
    if (it != models_.end()) return true;  // visited below from the overlay
    if (!visit(m)) stopped = true;
    return !stopped;
  });
  for (const auto& [id, m] : models_) {
    if (stopped) return;
    if (m && !visit(*m)) stopped = true;
  }
}
Status OverlayLedger::putAccount(const Address& address, const Account& account) {
  accounts_[address] = account;
  return Status::ok();
}
Status OverlayLedger::eraseAccount(const Address& address) {
  accounts_[address] = std::nullopt;
  return Status::ok();
}
Status OverlayLedger::putModel(const ModelRecord& record) {
  models_[record.modelId] = record;
  return Status::ok();
}
Status OverlayLedger::eraseModel(const Hash256& modelId) {
  models_[modelId] = std::nullopt;
  return Status::ok();
}
Status OverlayLedger::setTotalSupply(uint64_t supply) {
  supply_ = supply;
  return Status::ok();
}

Status copyLedger(const LedgerReader& from, LedgerStore& to) {
  Status s;
  from.forEachAccount([&](const Address& a, const Account& acc) {
    s = to.putAccount(a, acc);
    return s.isOk();
  });
  POT_TRY(s);
  from.forEachModel([&](const ModelRecord& m) {
    s = to.putModel(m);
    return s.isOk();
  });
  POT_TRY(s);
  return to.setTotalSupply(from.totalSupply());
}

// ---- identities and queries

Hash256 modelIdOf(schema::TrainingRequest::Reader request) {
  return messageId(Domain::kRequest, request.getBody());
}

Address escrowAddress(const Hash256& modelId) {
  Sha256 h;
  h.update(std::string_view("pot/v1/escrow"));
  h.update(modelId);
  return h.finish();
}

Result<ModelRecord> modelRecordFor(schema::TrainingRequest::Reader request, const Hash256& anchor,
                                   uint64_t height, bool isDummy) {
  auto body = request.getBody();
  auto s0 = Hash256::fromBytes(body.getInitialState().begin(), body.getInitialState().size());
  if (!s0) return Status::invalid("training request: initialState is not a 32-byte hash");
  if (body.getStageBatches().size() == 0) return Status::invalid("training request has no stages");
  for (auto b : body.getStageBatches())
    if (b.size() != 32)
      return Status::invalid("training request: a stage batch hash is not 32 bytes");
  ModelRecord m;
  m.modelId = modelIdOf(request);
  m.escrow = escrowAddress(m.modelId);
  m.feePerStage = body.getFeePerStage();
  m.declarers = body.getDeclarers();
  m.stagesTotal = body.getStageBatches().size();
  m.lastStage = 0;
  m.lastStateHash = *s0;
  m.anchor = anchor;
  m.registrationHeight = height;
  m.lastHeight = height;
  m.isDummy = isDummy;
  capnp::MallocMessageBuilder mb;
  mb.initRoot<schema::Envelope>().setTrainingRequest(request);
  m.request = encodeMessage(mb.getRoot<schema::Envelope>().asReader());
  return m;
}

std::vector<ModelRecord> modelQueue(const LedgerReader& ledger) {
  std::vector<ModelRecord> active;
  std::optional<ModelRecord> dummy;
  ledger.forEachModel([&](const ModelRecord& m) {
    if (m.isDummy) {
      if (m.active()) dummy = m;
    } else if (m.active()) {
      active.push_back(m);
    }
    return true;
  });
  std::sort(active.begin(), active.end(), [](const ModelRecord& a, const ModelRecord& b) {
    if (a.feePerStage != b.feePerStage) return a.feePerStage > b.feePerStage;
    if (a.registrationHeight != b.registrationHeight)
      return a.registrationHeight < b.registrationHeight;
    return a.modelId < b.modelId;
  });
  if (active.empty() && dummy) active.push_back(*dummy);
  return active;
}

bool isEscrow(const LedgerReader& ledger, const Address& address) {
  bool found = false;
  ledger.forEachModel([&](const ModelRecord& m) {
    if (m.escrow == address) found = true;
    return !found;
  });
  return found;
}

uint64_t mergedAgeSince(uint64_t balance, uint64_t ageSince, uint64_t amount, uint64_t now) {
  if (amount == 0) return ageSince;
  if (balance == 0) return now;
  Uint128 total = (Uint128)balance + amount;
  Uint128 weighted = (Uint128)balance * ageSince + (Uint128)amount * now;
  return static_cast<uint64_t>(weighted / total);
}

// ---- the block transition (docs/protocol.md, "Applying a block")

Result<BlockUndo> applyBlock(LedgerStore& store, schema::Block::Reader block,
                             const ChainParams& params, const Hash256& blockId,
                             Rejection* failure) {
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
    return fail(failure, "unknown-model", "model " + modelId.hex() + " is not registered");
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
      return fail(failure, "duplicate-tx", where + " appears twice in the block");
    if (isEscrow(store, sender))
      return fail(
          failure, "escrow-without-stage",
          where + " spends from escrow " + sender.hex() + ": escrow pays only stage rewards");
    Account from = rec.get(sender);
    if (tb.getNonce() != from.nonce)
      return fail(failure, "bad-nonce",
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
        return fail(failure, "double-spend",
                    where + " spends coins an earlier transaction of the block spent");
      return fail(failure, "insufficient-balance",
                  where + " spends " +
                      std::to_string((uint64_t)std::min<Uint128>(cost, UINT64_MAX)) + " but " +
                      sender.hex() + " has " + std::to_string(from.balance));
    }
    if (fees + tb.getFee() < fees) return fail(failure, "bad-tx", where + ": fees overflow");
    fees += tb.getFee();
    from.balance -= static_cast<uint64_t>(cost);
    from.nonce += 1;
    POT_TRY(rec.put(sender, from));
    if (tb.isTransfer()) {
      auto tr = tb.getTransfer();
      if (tr.getTo().size() != 32)
        return fail(failure, "bad-tx", where + ": recipient is not 32 bytes");
      const Address to = hashFrom(tr.getTo());
      Account dest = rec.get(to);
      if (dest.balance + amount < dest.balance)
        return fail(failure, "bad-tx", where + ": balance overflow");
      dest.ageSince = mergedAgeSince(dest.balance, dest.ageSince, amount, now);
      dest.balance += amount;
      POT_TRY(rec.put(to, dest));
    } else if (tb.isRegisterModel()) {
      auto request = tb.getRegisterModel();
      auto rb = request.getBody();
      auto employer = Hash256::fromBytes(rb.getEmployer().begin(), rb.getEmployer().size());
      auto sig = request.getSignature();
      if (!employer || !verifyBody(*employer, Domain::kRequest, rb, sig.begin(), sig.size()))
        return fail(failure, "bad-request-sig",
                    where + ": the training request's signature does not verify");
      if (rb.getDeclarers() < params.minDeclarers || rb.getDeclarers() > params.maxDeclarers ||
          rb.getDeclarers() == 0)
        return fail(failure, "bad-request",
                    where + ": request asks C=" + std::to_string(rb.getDeclarers()) +
                        " declarers, outside [" + std::to_string(params.minDeclarers) + ", " +
                        std::to_string(params.maxDeclarers) + "]");
      auto record = modelRecordFor(request, blockId, header.getHeight(), false);
      if (!record) return fail(failure, "bad-request", where + ": " + record.status().message());
      if (store.model(record->modelId))
        return fail(failure, "duplicate-model",
                    where + " registers model " + record->modelId.hex() + " again");
      POT_TRY(rec.putModel(*record));
    } else {
      return fail(failure, "bad-tx", where + " has an unknown kind");
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
        return fail(failure, "bad-coinbase", "total supply overflows");
      supply += p.amount;
    }
    Account dest = rec.get(p.to);
    if (dest.balance + p.amount < dest.balance)
      return fail(failure, "bad-coinbase", "balance overflows");
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

// ---- record encodings

Bytes encodeAccount(const Account& account) {
  capnp::MallocMessageBuilder mb;
  writeAccount(mb.initRoot<schema::AccountState>(), account);
  return encodeRoot<schema::AccountState>(mb);
}
Result<Account> decodeAccount(const Bytes& bytes) {
  return decodeRoot<schema::AccountState>(
      bytes, [](schema::AccountState::Reader r) { return readAccount(r); });
}
Bytes encodeModel(const ModelRecord& record) {
  capnp::MallocMessageBuilder mb;
  writeModel(mb.initRoot<schema::ModelProgress>(), record);
  return encodeRoot<schema::ModelProgress>(mb);
}
Result<ModelRecord> decodeModel(const Bytes& bytes) {
  return decodeRoot<schema::ModelProgress>(
      bytes, [](schema::ModelProgress::Reader r) { return readModel(r); });
}
Bytes encodeUndo(const BlockUndo& undo) {
  capnp::MallocMessageBuilder mb;
  auto b = mb.initRoot<schema::BlockUndo>();
  b.setBlockId(dataOf(undo.blockId));
  b.setTotalSupply(undo.totalSupply);
  auto accs = b.initAccounts(undo.accounts.size());
  for (size_t i = 0; i < undo.accounts.size(); ++i) {
    accs[i].setAddress(dataOf(undo.accounts[i].first));
    accs[i].setExisted(undo.accounts[i].second.has_value());
    if (undo.accounts[i].second) writeAccount(accs[i].initPrevious(), *undo.accounts[i].second);
  }
  auto models = b.initModels(undo.models.size());
  for (size_t i = 0; i < undo.models.size(); ++i) {
    models[i].setModelId(dataOf(undo.models[i].first));
    models[i].setExisted(undo.models[i].second.has_value());
    if (undo.models[i].second) writeModel(models[i].initPrevious(), *undo.models[i].second);
  }
  return encodeRoot<schema::BlockUndo>(mb);
}
Result<BlockUndo> decodeUndo(const Bytes& bytes) {
  return decodeRoot<schema::BlockUndo>(bytes, [](schema::BlockUndo::Reader r) {
    BlockUndo u;
    u.blockId = hashFrom(r.getBlockId());
    u.totalSupply = r.getTotalSupply();
    for (auto a : r.getAccounts()) {
      std::optional<Account> prev;
      if (a.getExisted()) prev = readAccount(a.getPrevious());
      u.accounts.emplace_back(hashFrom(a.getAddress()), prev);
    }
    for (auto m : r.getModels()) {
      std::optional<ModelRecord> prev;
      if (m.getExisted()) prev = readModel(m.getPrevious());
      u.models.emplace_back(hashFrom(m.getModelId()), prev);
    }
    return u;
  });
}

}  // namespace pot
