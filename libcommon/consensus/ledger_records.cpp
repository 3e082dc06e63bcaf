// Ledger records as stored (docs/protocol.md, "Chain store"): accounts, models and undo data
// as the canonical words of one root struct.
#include "libcommon/consensus/ledger_records.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>

#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/message_io.h"

namespace pot {
namespace {

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
}
// `request` (@11) is stored in its own table since chain store schema 3;
// a record that still carries one is refused, so one record has one form.
Result<ModelRecord> readModel(schema::ModelProgress::Reader r) {
  if (r.hasRequest()) return Status::malformed("model record carries a request (schema 2)");
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
  auto m = decodeRoot<schema::ModelProgress>(
      bytes, [](schema::ModelProgress::Reader r) { return readModel(r); });
  if (!m) return m.status();
  return std::move(*m);
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
  auto decoded = decodeRoot<schema::BlockUndo>(bytes, [](schema::BlockUndo::Reader r) {
    Result<BlockUndo> out = BlockUndo{};
    BlockUndo& u = *out;
    u.blockId = hashFrom(r.getBlockId());
    u.totalSupply = r.getTotalSupply();
    for (auto a : r.getAccounts()) {
      std::optional<Account> prev;
      if (a.getExisted()) prev = readAccount(a.getPrevious());
      u.accounts.emplace_back(hashFrom(a.getAddress()), prev);
    }
    for (auto m : r.getModels()) {
      std::optional<ModelRecord> prev;
      if (m.getExisted()) {
        auto rec = readModel(m.getPrevious());
        if (!rec) return Result<BlockUndo>(rec.status());
        prev = std::move(*rec);
      }
      u.models.emplace_back(hashFrom(m.getModelId()), prev);
    }
    return out;
  });
  if (!decoded) return decoded.status();
  return std::move(*decoded);
}
}  // namespace pot
