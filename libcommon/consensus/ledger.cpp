// Ledger state (docs/protocol.md, "Ledger"): accounts, models, overlays, identities, the queue.
#include "libcommon/consensus/ledger.h"

#include <capnp/message.h>

#include <algorithm>
#include <map>

#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/message_io.h"

namespace pot {

// Exact products of 64-bit amounts (a GCC/Clang extension).
__extension__ typedef unsigned __int128 Uint128;

bool operator==(const ModelRecord& a, const ModelRecord& b) {
  return a.modelId == b.modelId && a.escrow == b.escrow && a.feePerStage == b.feePerStage &&
         a.declarers == b.declarers && a.stagesTotal == b.stagesTotal &&
         a.lastStage == b.lastStage && a.lastStateHash == b.lastStateHash && a.anchor == b.anchor &&
         a.registrationHeight == b.registrationHeight && a.lastHeight == b.lastHeight &&
         a.isDummy == b.isDummy;
}

bool operator==(const MemoryLedger& a, const MemoryLedger& b) {
  if (a.accounts_ != b.accounts_ || a.models_ != b.models_ || a.supply_ != b.supply_ ||
      a.requests_.size() != b.requests_.size())
    return false;
  for (auto i = a.requests_.begin(), j = b.requests_.begin(); i != a.requests_.end(); ++i, ++j)
    if (i->first != j->first || *i->second != *j->second) return false;
  return true;
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
std::optional<Bytes> MemoryLedger::request(const Hash256& modelId) const {
  auto it = requests_.find(modelId);
  if (it == requests_.end()) return std::nullopt;
  return *it->second;
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
Status MemoryLedger::putRequest(const Hash256& modelId, const Bytes& request) {
  requests_[modelId] = std::make_shared<const Bytes>(request);
  return Status::ok();
}
Status MemoryLedger::eraseModel(const Hash256& modelId) {
  models_.erase(modelId);
  requests_.erase(modelId);
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
std::optional<Bytes> OverlayLedger::request(const Hash256& modelId) const {
  auto it = requests_.find(modelId);
  if (it != requests_.end()) return it->second;
  return base_.request(modelId);
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
Status OverlayLedger::putRequest(const Hash256& modelId, const Bytes& request) {
  requests_[modelId] = request;
  return Status::ok();
}
Status OverlayLedger::eraseModel(const Hash256& modelId) {
  models_[modelId] = std::nullopt;
  requests_[modelId] = std::nullopt;
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
  std::vector<Hash256> models;
  from.forEachModel([&](const ModelRecord& m) {
    models.push_back(m.modelId);
    s = to.putModel(m);
    return s.isOk();
  });
  POT_TRY(s);
  // Read after the walk: a store's model cursor is not shared with other reads.
  for (const auto& id : models)
    if (auto r = from.request(id)) POT_TRY(to.putRequest(id, *r));
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
  return m;
}

Bytes requestFileOf(schema::TrainingRequest::Reader request) {
  capnp::MallocMessageBuilder mb;
  mb.initRoot<schema::Envelope>().setTrainingRequest(request);
  return encodeMessage(mb.getRoot<schema::Envelope>().asReader());
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
  // Read after the walk: a store's model cursor is not shared with account reads.
  std::map<Hash256, uint64_t> payable;
  for (const auto& m : active) {
    auto escrow = ledger.account(m.escrow);
    payable[m.modelId] = std::min(m.feePerStage, escrow ? escrow->balance : 0);
  }
  std::sort(active.begin(), active.end(), [&](const ModelRecord& a, const ModelRecord& b) {
    const uint64_t pa = payable[a.modelId], pb = payable[b.modelId];
    if (pa != pb) return pa > pb;
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

}  // namespace pot
