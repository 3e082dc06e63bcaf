// The chain store: LMDB records, ledger view, import, readers, export (see chain_store.h).
#include "libcommon/store/chain_store.h"

#include <kj/exception.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/block_signatures.h"
#include "libcommon/consensus/fork_choice.h"
#include "libcommon/consensus/ledger_records.h"
#include "libcommon/consensus/state_transition.h"
#include "libcommon/consensus/validate.h"
#include "libcommon/core/coding.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/run_ahead.h"

namespace pot::chaind {

namespace {

// One database per index (lmdb++/Monero style).
const char* kBlocks = "blocks";      // block id -> block message bytes
const char* kInfos = "infos";        // block id -> BlockInfo record
const char* kActive = "active";      // height (big-endian u64) -> id on the best chain
const char* kAccounts = "accounts";  // address -> Account record (ascending = FTC order)
const char* kModels = "models";      // model id -> ModelRecord record (progress only)
// model id -> the TrainingRequest file (schema 3): written once at the
// registration, so a block of the model never re-encodes it (its record and
// undo carry the progress only).
const char* kRequests = "requests";
const char* kUndo = "undo";      // block id -> BlockUndo record
const char* kStates = "states";  // H(S_i) and loss-trace hashes on the best chain -> model id ||
                                 // stage (BE32) || block id
const char* kMeta = "chain";     // "genesis" -> file bytes, "tip" -> id, "supply" -> u64
// The per-key work index of the best chain (schema 2): address || ~height
// (BE64, so a forward scan reads newest first) || role || index (BE32) ->
// block id || reward (LE64); and address -> 4 x (count, reward) (LE64).
const char* kWork = "work";
const char* kEarned = "earned";

// Big-endian, so LMDB's byte order is height order.
Bytes heightKey(uint64_t h) {
  Bytes k(8);
  coding::putBe64(k.data(), h);
  return k;
}

Bytes encodeInfo(const BlockInfo& b) {
  Bytes out(b.id.bytes.begin(), b.id.bytes.end());
  out.insert(out.end(), b.parent.bytes.begin(), b.parent.bytes.end());
  coding::appendLe64(out, b.height);
  coding::appendLe64(out, b.timestamp);
  out.insert(out.end(), b.trust.bytes.begin(), b.trust.bytes.end());
  out.insert(out.end(), b.cumulativeTrust.bytes.begin(), b.cumulativeTrust.bytes.end());
  return out;
}

std::optional<BlockInfo> decodeInfo(const Bytes& r) {
  if (r.size() != 144) return std::nullopt;
  BlockInfo b;
  b.id = *Hash256::fromBytes(r.data(), 32);
  b.parent = *Hash256::fromBytes(r.data() + 32, 32);
  b.height = coding::getLe64(r.data() + 64);
  b.timestamp = coding::getLe64(r.data() + 72);
  b.trust = *Hash256::fromBytes(r.data() + 80, 32);
  b.cumulativeTrust = *Hash256::fromBytes(r.data() + 112, 32);
  return b;
}

// One contribution of a block to the work index.
struct WorkItem {
  Address address;
  WorkRole role;
  uint32_t index;  // position among the block's declarations or signatures
  uint64_t reward;
};

// Who did what in `blk` and what its coinbase paid each for it. A payout
// is matched to a contribution by kind and recipient; each is used once, so
// a key drawn twice as stakeholder gets two entries of one share each.
std::vector<WorkItem> workOf(schema::Block::Reader blk) {
  using K = schema::PayoutKind;
  auto body = blk.getBody();
  std::map<std::pair<Address, K>, std::vector<uint64_t>> paid;
  for (auto p : body.getCoinbase())
    paid[{hashFrom(p.getTo()), p.getKind()}].push_back(p.getAmount());
  auto take = [&paid](const Address& a, K kind) -> uint64_t {
    auto it = paid.find({a, kind});
    if (it == paid.end() || it->second.empty()) return 0;
    uint64_t v = it->second.front();
    it->second.erase(it->second.begin());
    return v;
  };
  std::vector<WorkItem> out;
  const Address builder = hashFrom(body.getHeader().getBody().getPubkey());
  out.push_back({builder, WorkRole::kHeader, 0, take(builder, K::HEADER_BUILDER)});
  const Address wrapper = hashFrom(body.getWrapper());
  const uint64_t wrapped = take(wrapper, K::WRAPPER);
  out.push_back({wrapper, WorkRole::kBlock, 0, wrapped + take(wrapper, K::TRANSACTION_FEES)});
  uint32_t i = 0;
  for (auto td : body.getDeclarations()) {
    const Address d = hashFrom(td.getBody().getPubkey());
    out.push_back({d, WorkRole::kDeclaration, i++, take(d, K::STAGE_FEE)});
  }
  i = 0;
  for (auto sig : body.getStakeholderSignatures()) {
    const Address k = hashFrom(sig.getBody().getPubkey());
    out.push_back({k, WorkRole::kStakeholder, i++, take(k, K::STAKEHOLDER)});
  }
  return out;
}

Bytes workKey(const WorkItem& w, uint64_t height) {
  Bytes k(w.address.bytes.begin(), w.address.bytes.end());
  k.resize(32 + 8 + 1 + 4);
  coding::putBe64(k.data() + 32, ~height);
  k[40] = static_cast<uint8_t>(w.role);
  coding::putBe32(k.data() + 41, w.index);
  return k;
}

Result<WorkHistory> readEarned(const store::Txn& txn, const Address& a) {
  WorkHistory h;
  auto v = txn.get(kEarned, a);
  if (!v) return v.status();
  if (!v->has_value()) return h;
  if ((*v)->size() != 16 * kWorkRoles) return Status::io("damaged earned record");
  for (size_t r = 0; r < kWorkRoles; ++r) {
    h.totals[r].count = coding::getLe64((*v)->data() + 16 * r);
    h.totals[r].reward = coding::getLe64((*v)->data() + 16 * r + 8);
  }
  return h;
}

// Adds (connect) or removes (disconnect) a best-chain block's work.
Status indexWork(store::Txn& txn, schema::Block::Reader blk, const Hash256& id, uint64_t height,
                 bool connect) {
  for (const WorkItem& w : workOf(blk)) {
    const Bytes key = workKey(w, height);
    if (connect) {
      Bytes v(id.bytes.begin(), id.bytes.end());
      coding::appendLe64(v, w.reward);
      POT_TRY(txn.put(kWork, key, v));
    } else {
      auto gone = txn.del(kWork, key);
      if (!gone) return gone.status();
    }
    auto earned = readEarned(txn, w.address);
    if (!earned) return earned.status();
    auto& t = earned->totals[static_cast<size_t>(w.role) - 1];
    if (connect) {
      t.count += 1;
      t.reward += w.reward;
    } else {
      if (t.count == 0 || t.reward < w.reward)
        return Status::io("earned record of " + w.address.hex() + " is short");
      t.count -= 1;
      t.reward -= w.reward;
    }
    Bytes record;
    bool any = false;
    for (const auto& r : earned->totals) {
      coding::appendLe64(record, r.count);
      coding::appendLe64(record, r.reward);
      any = any || r.count > 0;
    }
    if (any) {
      POT_TRY(txn.put(kEarned, w.address, record));
    } else {
      auto gone = txn.del(kEarned, w.address);
      if (!gone) return gone.status();
    }
  }
  return Status::ok();
}

// LedgerReader's contract: a store that fails to read throws; the tool
// boundary reports it as an error, never as an invalid block.
[[noreturn]] void storeFailure(const Status& s) { throw std::runtime_error(s.message()); }

template <typename T>
T orThrow(Result<T> r) {
  if (!r) storeFailure(r.status());
  return std::move(*r);
}

// The ledger of the best chain's tip, read and written in one transaction.
class LmdbLedger : public LedgerStore {
 public:
  explicit LmdbLedger(store::Txn& txn) : txn_(txn) {}
  std::optional<Account> account(const Address& a) const override {
    auto v = orThrow(txn_.get(kAccounts, a));
    if (!v) return std::nullopt;
    return orThrow(decodeAccount(*v));
  }
  void forEachAccount(
      const std::function<bool(const Address&, const Account&)>& visit) const override {
    Status bad;
    Status s = txn_.scan(kAccounts, store::Slice(), [&](store::Slice k, store::Slice v) {
      auto addr = Hash256::fromBytes(static_cast<const uint8_t*>(k.data), k.size);
      auto acc = decodeAccount(v.bytes());
      if (!addr || !acc) {
        bad = Status::io("damaged account record");
        return false;
      }
      return visit(*addr, *acc);
    });
    if (!s) storeFailure(s);
    if (!bad) storeFailure(bad);
  }
  std::optional<ModelRecord> model(const Hash256& id) const override {
    auto v = orThrow(txn_.get(kModels, id));
    if (!v) return std::nullopt;
    return orThrow(decodeModel(*v));
  }
  void forEachModel(const std::function<bool(const ModelRecord&)>& visit) const override {
    Status bad;
    Status s = txn_.scan(kModels, store::Slice(), [&](store::Slice, store::Slice v) {
      auto m = decodeModel(v.bytes());
      if (!m) {
        bad = Status::io("damaged model record");
        return false;
      }
      return visit(*m);
    });
    if (!s) storeFailure(s);
    if (!bad) storeFailure(bad);
  }
  uint64_t totalSupply() const override {
    auto v = orThrow(txn_.get(kMeta, "supply"));
    return v && v->size() == 8 ? coding::getLe64(v->data()) : 0;
  }
  Status putAccount(const Address& a, const Account& acc) override {
    return txn_.put(kAccounts, a, encodeAccount(acc));
  }
  Status eraseAccount(const Address& a) override {
    auto r = txn_.del(kAccounts, a);
    return r ? Status::ok() : r.status();
  }
  Status putModel(const ModelRecord& m) override {
    return txn_.put(kModels, m.modelId, encodeModel(m));
  }
  std::optional<Bytes> request(const Hash256& id) const override {
    return orThrow(txn_.get(kRequests, id));
  }
  Status putRequest(const Hash256& id, const Bytes& request) override {
    return txn_.put(kRequests, id, request);
  }
  Status eraseModel(const Hash256& id) override {
    auto r = txn_.del(kModels, id);
    if (!r) return r.status();
    auto q = txn_.del(kRequests, id);
    return q ? Status::ok() : q.status();
  }
  Status setTotalSupply(uint64_t supply) override {
    Bytes b;
    coding::appendLe64(b, supply);
    return txn_.put(kMeta, "supply", b);
  }

 private:
  store::Txn& txn_;
};

Result<std::optional<BlockInfo>> readInfo(const store::Txn& txn, const Hash256& id) {
  auto v = txn.get(kInfos, id);
  if (!v) return v.status();
  if (!v->has_value()) return std::optional<BlockInfo>();
  auto info = decodeInfo(**v);
  if (!info) return Status::io("damaged index record for block " + id.hex());
  return info;
}

Result<BlockInfo> readTip(const store::Txn& txn) {
  auto v = txn.get(kMeta, "tip");
  if (!v) return v.status();
  if (!v->has_value() || (*v)->size() != 32) return Status::io("store has no tip record");
  auto info = readInfo(txn, *Hash256::fromBytes((*v)->data(), 32));
  if (!info) return info.status();
  if (!info->has_value()) return Status::io("store's tip is not indexed");
  return **info;
}

// The reorganisation depth cap (docs/protocol.md, "pot-chaind"): a block
// whose parent leaves the best chain more than kMaxReorgDepth blocks below
// the tip (kMaxReorgDepth unless set) is refused before validation, which would first rebuild the
// parent's state by undoing every block down to the fork. Without the cap a
// block on an old parent (cheap to make: only its own signatures count
// before that state exists) costs O(height) per copy gossiped.
Status checkForkDepth(const store::Txn& txn, capnp::Data::Reader parentField, uint64_t cap) {
  auto parentId = Hash256::fromBytes(parentField.begin(), parentField.size());
  if (!parentId) return Status::ok();  // validation names the bad field
  auto parent = readInfo(txn, *parentId);
  if (!parent) return parent.status();
  if (!parent->has_value()) return Status::ok();  // validation says unknown-parent
  auto tip = readTip(txn);
  if (!tip) return tip.status();
  BlockInfo at = **parent;
  for (uint64_t steps = 0;; ++steps) {
    auto active = txn.get(kActive, heightKey(at.height));
    if (!active) return active.status();
    if (active->has_value() && **active == Bytes(at.id.bytes.begin(), at.id.bytes.end())) break;
    if (steps >= cap || at.height == 0) {
      at.height = 0;  // a side branch longer than the cap: as deep as it gets
      break;
    }
    auto up = readInfo(txn, at.parent);
    if (!up) return up.status();
    if (!up->has_value()) return Status::io("index is missing block " + at.parent.hex());
    at = **up;
  }
  if (tip->height - std::min(at.height, tip->height) > cap)
    return Status::invalid("fork-too-deep: the branch leaves the best chain at height " +
                           std::to_string(at.height) + ", more than " + std::to_string(cap) +
                           " blocks below the tip at " + std::to_string(tip->height));
  return Status::ok();
}

// Blocks to take off (tip first) and put on (oldest first) to move from
// `from` to `to`, found by walking the stored parent links.
Result<Reorganisation> pathBetween(const store::Txn& txn, BlockInfo from, BlockInfo to) {
  Reorganisation r;
  std::vector<Hash256> connect;
  auto step = [&](BlockInfo& b) -> Status {
    auto p = readInfo(txn, b.parent);
    if (!p) return p.status();
    if (!p->has_value()) return Status::io("index is missing block " + b.parent.hex());
    b = **p;
    return Status::ok();
  };
  while (from.height > to.height) {
    r.disconnect.push_back(from.id);
    POT_TRY(step(from));
  }
  while (to.height > from.height) {
    connect.push_back(to.id);
    POT_TRY(step(to));
  }
  while (from.id != to.id) {
    if (from.height == 0) return Status::io("blocks share no ancestor");
    r.disconnect.push_back(from.id);
    connect.push_back(to.id);
    POT_TRY(step(from));
    POT_TRY(step(to));
  }
  r.fork = from.id;
  r.connect.assign(connect.rbegin(), connect.rend());
  return r;
}

// The chain as validation sees it inside one transaction. States off the
// best chain are rebuilt on an overlay by undoing to the fork and applying
// the side branch, so any stored block can be a parent.
class TxnChainView : public ChainView {
 public:
  TxnChainView(const Genesis& genesis, store::Txn& txn)
      : genesis_(genesis), txn_(txn), ledger_(txn) {}
  const Genesis& genesis() const override { return genesis_; }
  std::optional<BlockInfo> blockInfo(const Hash256& id) const override {
    return orThrow(readInfo(txn_, id));
  }
  BlockInfo tip() const override { return orThrow(readTip(txn_)); }
  const LedgerReader* stateAt(const Hash256& id) const override {
    BlockInfo t = tip();
    if (id == t.id) return &ledger_;
    auto cached = overlays_.find(id);
    if (cached != overlays_.end()) return cached->second.get();
    auto target = blockInfo(id);
    if (!target) return nullptr;
    auto path = pathBetween(txn_, t, *target);
    if (!path) return nullptr;
    auto overlay = std::make_unique<OverlayLedger>(ledger_);
    for (const auto& d : path->disconnect) {
      auto u = txn_.get(kUndo, d);
      if (!u || !u->has_value()) return nullptr;
      auto undo = decodeUndo(**u);
      if (!undo || !undoBlock(*overlay, *undo)) return nullptr;
    }
    for (const auto& c : path->connect) {
      auto bytes = txn_.get(kBlocks, c);
      if (!bytes || !bytes->has_value()) return nullptr;
      auto m = decodeMessage(**bytes);
      if (!m) return nullptr;
      // A stored block was validated when it came: its signatures verify.
      if (!applyBlock(*overlay, (*m)->envelope().getBlock(), params(), c, nullptr,
                      /*signaturesVerified=*/true))
        return nullptr;
    }
    auto* raw = overlay.get();
    overlays_[id] = std::move(overlay);
    return raw;
  }
  LmdbLedger& ledger() { return ledger_; }

 private:
  const Genesis& genesis_;
  store::Txn& txn_;
  LmdbLedger ledger_;
  mutable std::map<Hash256, std::unique_ptr<OverlayLedger>> overlays_;
};

store::EnvOptions envOptions(bool readOnly) {
  store::EnvOptions o;
  o.schemaName = "pot-chaind";
  o.schemaVersion = kSchemaVersion;
  o.databases = {kBlocks, kInfos,  kActive, kAccounts, kModels, kRequests,
                 kUndo,   kStates, kMeta,   kWork,     kEarned};
  o.readOnly = readOnly;
  return o;
}

// What a block message may take, as a block file.
ReadLimits blockReadLimits() {
  ReadLimits limits;
  limits.maxBytes = kMaxBlockFileBytes;
  return limits;
}

// Runs `fn`, turning a store failure thrown through LedgerReader into a Status.
template <typename F>
Status guarded(F&& fn) {
  try {
    return fn();
  } catch (const std::runtime_error& e) {
    return Status::io(std::string("store failure: ") + e.what());
  }
}

}  // namespace

Result<std::unique_ptr<ChainStore>> ChainStore::open(const std::string& dir,
                                                     const std::string& genesisPath,
                                                     bool readOnly) {
  std::unique_ptr<ChainStore> c(new ChainStore());
  auto env = store::Env::open(dir, envOptions(readOnly));
  if (!env) return env.status();
  c->env_ = std::move(*env);
  std::optional<Bytes> given;
  if (!genesisPath.empty()) {
    auto g = readFile(genesisPath, kMaxBlockFileBytes);
    if (!g) return g.status();
    given = std::move(*g);
  }
  Bytes genesisBytes;
  {
    auto r = c->env_->beginRead();
    if (!r) return r.status();
    auto stored = r->get(kMeta, "genesis");
    if (!stored) return stored.status();
    if (stored->has_value()) {
      if (given && sha256(*given) != sha256(**stored))
        return Status::io("store '" + dir + "' holds another chain (genesis " +
                          sha256(**stored).hex() + ")");
      genesisBytes = **stored;
    } else {
      if (readOnly) return Status::io("store '" + dir + "' has no chain yet");
      if (!given) return Status::usage("store '" + dir + "' is new: --genesis is required");
      genesisBytes = *given;
    }
  }
  auto m = decodeMessage(genesisBytes);
  if (!m) return m.status().withContext("genesis");
  auto genesis = parseGenesis(std::shared_ptr<const Message>(std::move(*m)));
  if (!genesis) return genesis.status();
  c->genesis_ = std::move(*genesis);
  if (readOnly) return c;
  // A new store gets its genesis state, index root and tip in one commit.
  Status s = c->env_->update([&](store::Txn& txn) -> Status {
    auto has = txn.get(kMeta, "genesis");
    if (!has) return has.status();
    if (has->has_value()) return Status::ok();
    LmdbLedger ledger(txn);
    POT_TRY(guarded([&] { return initLedger(ledger, c->genesis_); }));
    const Hash256& id = c->genesis_.id;
    BlockInfo root{id, Hash256{}, 0, c->genesis_.timestamp, Uint256{}, Uint256{}};
    POT_TRY(txn.put(kInfos, id, encodeInfo(root)));
    POT_TRY(txn.put(kActive, heightKey(0), id));
    POT_TRY(txn.put(kMeta, "tip", id));
    return txn.put(kMeta, "genesis", genesisBytes);
  });
  if (!s) return s;
  return c;
}

// The checks before a block's transaction, in importBlock's order: decode
// (canonical), the kind, and the wrapper's signature, checked before
// "known": a copy of a stored block with a forged signature has the same id
// but is still a bad message. `checked` gets the block's id with the
// wrapper's verdict. Pure, so bulk import runs it on all cores.
Result<MessagePtr> ChainStore::checkMessage(const Bytes& bytes, RejectReason& why,
                                            BlockSignatures& checked) {
  why = RejectReason::kNone;
  DecodeFailure failure;
  auto m = decodeMessage(bytes, blockReadLimits(), &failure);
  if (!m) {
    why = undecodableReason(failure);
    return m.status();
  }
  if (Status s = expectKind(**m, schema::Envelope::BLOCK, "submitted message"); !s) {
    why = RejectReason::kNotABlock;
    return s;
  }
  checked = checkWrapper((*m)->envelope().getBlock());
  if (!checked.wrapperVerified) {
    why = RejectReason::kBadBlockSig;
    return Status::invalid(std::string(rejectName(why)) +
                           ": the wrapper's signature does not verify");
  }
  return m;
}

Result<ImportResult> ChainStore::importBlock(const Bytes& bytes, uint64_t now,
                                             RejectReason* rejected) {
  RejectReason ignored;
  RejectReason& why = rejected ? *rejected : ignored;
  // The wrapper's signature, verified here, is not verified again by validation.
  BlockSignatures checked;
  auto m = checkMessage(bytes, why, checked);
  if (!m) return m.status();
  ImportResult result;
  Status s = env_->update([&](store::Txn& txn) -> Status {
    return importChecked(txn, **m, bytes, now, why, checked, result);
  });
  if (!s) return s;
  return result;
}

Status ChainStore::importBlocks(const std::vector<Bytes>& blocks, uint64_t now,
                                const std::function<void(size_t, const ImportResult&)>& committed,
                                RejectReason* rejected, const BulkOptions& options) {
  RejectReason ignored;
  RejectReason& why = rejected ? *rejected : ignored;
  why = RejectReason::kNone;
  const size_t per = std::max<size_t>(1, options.blocksPerCommit);
  // What importBlock checks before its transaction, per block, made on all
  // cores, and every other signature of the block with it, so validation,
  // in order on this thread, verifies none again and hashes no id again.
  struct Checked {
    Result<MessagePtr> message = Status::internal("not checked");
    RejectReason why = RejectReason::kNone;
    BlockSignatures signatures;
  };
  std::vector<Checked> checked(blocks.size());
  // The checks run on every core, taking the blocks in order, while this
  // thread validates and commits them: no core waits at a batch's end. At
  // most four batches are checked ahead, which bounds the memory held.
  RunAhead ahead(blocks.size(), options.threads, 4 * per, [&](size_t i) {
    Checked& c = checked[i];
    // A check that throws (Cap'n Proto's kj::Exception or a std one) is our
    // error for that block, reported at its turn, never an exception out of
    // the import.
    auto failed = [&](const std::string& what) {
      c.why = RejectReason::kNone;
      c.message = Status::internal("checking block " + std::to_string(i + 1) + " failed: " + what);
    };
    try {
      c.message = checkMessage(blocks[i], c.why, c.signatures);
      if (c.message) checkOtherSignatures((*c.message)->envelope().getBlock(), c.signatures);
    } catch (const kj::Exception& e) {
      failed(e.getDescription().cStr());
    } catch (const std::exception& e) {
      failed(e.what());
    }
  });
  for (size_t from = 0; from < blocks.size(); from += per) {
    const size_t to = std::min(from + per, blocks.size());
    std::vector<ImportResult> results;
    size_t stop = to;  // the first refused block of this batch, or `to`
    Status refusal;
    auto run = [&](store::Txn& txn, size_t end) -> Status {
      results.clear();
      // The batch's last block first: this thread then sleeps until the
      // workers are done with the batch instead of waking for each block.
      ahead.waitFor(end - 1);
      for (size_t i = from; i < end; ++i) {
        ahead.waitFor(i);
        RejectReason reason = checked[i].why;
        Status s = checked[i].message.status();
        ImportResult r;
        if (s.isOk())
          s = importChecked(txn, **checked[i].message, blocks[i], now, reason,
                            checked[i].signatures, r);
        if (!s.isOk()) {
          stop = i;
          refusal = s;
          why = reason;
          return s;
        }
        results.push_back(r);
      }
      return Status::ok();
    };
    Status s = env_->update([&](store::Txn& txn) { return run(txn, to); });
    if (!s.isOk() && stop < to) {
      // A refused block aborted its batch's transaction: commit the blocks
      // before it (validated already) on their own, then report it, as a
      // block-by-block import would have.
      const size_t bad = stop;
      const Status badStatus = refusal;
      const RejectReason badWhy = why;
      if (bad > from) {
        Status again = env_->update([&](store::Txn& txn) { return run(txn, bad); });
        if (!again.isOk()) return again;
        for (size_t i = 0; i < results.size(); ++i) committed(from + i, results[i]);
      }
      why = badWhy;
      return badStatus;
    }
    if (!s.isOk()) return s;  // our store failed
    for (size_t i = 0; i < results.size(); ++i) committed(from + i, results[i]);
    for (size_t i = from; i < to; ++i) checked[i] = Checked{};  // stored: let go
    ahead.release(to);
  }
  return Status::ok();
}

// One checked block in the caller's write transaction: validation against
// the stored chain, the block and its index entry, and the move of the best
// chain. Nothing is written for a block validation refuses.
Status ChainStore::importChecked(store::Txn& txn, const Message& message, const Bytes& bytes,
                                 uint64_t now, RejectReason& why, const BlockSignatures& checked,
                                 ImportResult& result) {
  const ReadLimits limits = blockReadLimits();
  auto blk = message.envelope().getBlock();
  return guarded([&]() -> Status {
    result = ImportResult{checked.blockId};
    auto existing = readInfo(txn, result.id);
    if (!existing) return existing.status();
    if (existing->has_value()) {
      result.known = true;
      result.height = (*existing)->height;
      return Status::ok();
    }
    POT_TRY(checkForkDepth(txn, blk.getBody().getHeader().getBody().getParent(), maxReorgDepth_));
    TxnChainView view(genesis_, txn);
    ValidationResult v = validateBlock(view, message, now, &checked);
    why = v.reason;
    POT_TRY(v.toStatus());
    auto parentId = Hash256::fromBytes(blk.getBody().getHeader().getBody().getParent().begin(), 32);
    auto parent = view.blockInfo(*parentId);
    if (!parent) return Status::internal("validated block has no parent");
    BlockInfo info{result.id,
                   *parentId,
                   parent->height + 1,
                   blk.getBody().getHeader().getBody().getTimestamp(),
                   v.trust,
                   addSaturating(parent->cumulativeTrust, v.trust)};
    result.height = info.height;
    POT_TRY(txn.put(kBlocks, result.id, bytes));
    POT_TRY(txn.put(kInfos, result.id, encodeInfo(info)));
    BlockInfo tip = view.tip();
    TreeEntry mine{info.id, info.parent, info.height, info.cumulativeTrust};
    TreeEntry best{tip.id, tip.parent, tip.height, tip.cumulativeTrust};
    if (!betterTip(mine, best)) return Status::ok();  // stored on a side branch
    auto path = pathBetween(txn, tip, info);
    if (!path) return path.status();
    LmdbLedger& ledger = view.ledger();
    for (const auto& d : path->disconnect) {
      auto u = txn.get(kUndo, d);
      if (!u) return u.status();
      if (!u->has_value()) return Status::io("no undo data for block " + d.hex());
      auto undo = decodeUndo(**u);
      if (!undo) return undo.status();
      POT_TRY(undoBlock(ledger, *undo));
      auto di = readInfo(txn, d);
      if (!di || !di->has_value()) return Status::io("index is missing block " + d.hex());
      auto gone = txn.del(kActive, heightKey((*di)->height));
      if (!gone) return gone.status();
      auto db = txn.get(kBlocks, d);
      if (!db || !db->has_value()) return Status::io("missing block " + d.hex());
      auto dm = decodeMessage(**db, limits);
      if (!dm) return dm.status();
      auto dh = (*dm)->envelope().getBlock().getBody().getHeader().getBody();
      // Two models with the same recipe reach the same state hash: drop
      // the index entry only if it is this block's, or another model's
      // state that the best chain still records would vanish with it.
      for (auto key : {dh.getStateHash(), dh.getLossTraceHash()}) {
        if (key.size() != 32) continue;  // no loss trace published
        store::Slice stateKey(key.begin(), key.size());
        auto rec = txn.get(kStates, stateKey);
        if (!rec) return rec.status();
        if (rec->has_value() && (*rec)->size() >= 32 &&
            std::equal(d.bytes.begin(), d.bytes.end(), (*rec)->end() - 32)) {
          auto gs = txn.del(kStates, stateKey);
          if (!gs) return gs.status();
        }
      }
      POT_TRY(indexWork(txn, (*dm)->envelope().getBlock(), d, (*di)->height, false));
    }
    for (const auto& c : path->connect) {
      // The new block itself (the whole path, when it extends the tip) is
      // the message in hand: not read back and decoded again.
      Result<MessagePtr> stored = Status::internal("unread");
      if (c != result.id) {
        auto b = txn.get(kBlocks, c);
        if (!b) return b.status();
        if (!b->has_value()) return Status::io("missing block " + c.hex());
        stored = decodeMessage(**b, limits);
        if (!stored) return stored.status();
      }
      const Message* cm = c == result.id ? &message : stored->get();
      Rejection failure;
      // Every block on the path was validated: no signature is verified again.
      auto undo = applyBlock(ledger, cm->envelope().getBlock(), genesis_.params, c, &failure,
                             /*signaturesVerified=*/true);
      if (!undo)
        return Status::internal("stored block " + c.hex() +
                                " failed to apply: " + std::string(rejectName(failure.reason)) +
                                " " + undo.status().message());
      POT_TRY(txn.put(kUndo, c, encodeUndo(*undo)));
      // The per-model stage index: which states the best chain recorded.
      auto ch = cm->envelope().getBlock().getBody().getHeader().getBody();
      Bytes where(ch.getModelId().begin(), ch.getModelId().end());
      uint8_t stage[4];
      coding::putBe32(stage, ch.getStage());
      where.insert(where.end(), stage, stage + 4);
      where.insert(where.end(), c.bytes.begin(), c.bytes.end());
      // The first block that recorded a state keeps the entry: a later
      // one reaching the same hash (another model of the same recipe)
      // must not move it, or undoing the later block would delete the
      // entry the earlier, still connected, block owns. A published loss
      // trace (DESIGN 4.2) is indexed beside its state, so a repository
      // accepts its upload as it accepts S_i ("state" query).
      for (auto key : {ch.getStateHash(), ch.getLossTraceHash()}) {
        if (key.size() != 32) continue;  // no loss trace published
        store::Slice stateKey(key.begin(), key.size());
        auto held = txn.get(kStates, stateKey);
        if (!held) return held.status();
        if (!held->has_value()) POT_TRY(txn.put(kStates, stateKey, where));
      }
      auto ci = readInfo(txn, c);
      if (!ci || !ci->has_value()) return Status::io("index is missing block " + c.hex());
      POT_TRY(indexWork(txn, cm->envelope().getBlock(), c, (*ci)->height, true));
      POT_TRY(txn.put(kActive, heightKey((*ci)->height), c));
    }
    POT_TRY(txn.put(kMeta, "tip", info.id));
    result.tipChanged = true;
    result.disconnected = path->disconnect.size();
    return Status::ok();
  });
}

Result<std::optional<StateRecord>> ChainStore::stateRecord(const Hash256& stateHash) {
  auto r = env_->beginRead();
  if (!r) return r.status();
  auto v = r->get(kStates, stateHash);
  if (!v) return v.status();
  if (!v->has_value()) return std::optional<StateRecord>();
  const Bytes& b = **v;
  if (b.size() != 68) return Status::io("damaged stage index record");
  StateRecord rec;
  rec.modelId = *Hash256::fromBytes(b.data(), 32);
  rec.stage = coding::getBe32(b.data() + 32);
  rec.block = *Hash256::fromBytes(b.data() + 36, 32);
  return std::optional<StateRecord>(rec);
}

const char* workRoleName(WorkRole role) {
  switch (role) {
    case WorkRole::kHeader:
      return "header";
    case WorkRole::kBlock:
      return "block";
    case WorkRole::kDeclaration:
      return "declaration";
    case WorkRole::kStakeholder:
      return "stakeholder-signature";
  }
  return "unknown";
}

Result<WorkHistory> ChainStore::workHistory(const Address& address, size_t limit) {
  auto r = env_->beginRead();
  if (!r) return r.status();
  auto h = readEarned(*r, address);
  if (!h) return h.status();
  Status bad;
  Status s = r->scan(kWork, address, [&](store::Slice k, store::Slice v) {
    auto key = static_cast<const uint8_t*>(k.data);
    if (k.size != 45 || !std::equal(address.bytes.begin(), address.bytes.end(), key))
      return false;  // past this address's entries
    if (h->recent.size() == limit) {
      h->more = true;
      return false;
    }
    const uint8_t role = key[40];
    if (v.size != 40 || role < 1 || role > kWorkRoles) {
      bad = Status::io("damaged work index record");
      return false;
    }
    auto value = static_cast<const uint8_t*>(v.data);
    h->recent.push_back({~coding::getBe64(key + 32), *Hash256::fromBytes(value, 32),
                         static_cast<WorkRole>(role), coding::getLe64(value + 32)});
    return true;
  });
  if (!s) return s;
  if (!bad) return bad;
  return h;
}

struct StoreChainView::Impl {
  std::unique_ptr<ChainStore> store;
  std::optional<store::Txn> txn;
  std::unique_ptr<TxnChainView> view;
};

Result<std::unique_ptr<StoreChainView>> StoreChainView::open(const std::string& dir) {
  auto chain = ChainStore::open(dir, "", true);
  if (!chain) return chain.status();
  std::unique_ptr<StoreChainView> v(new StoreChainView());
  v->impl_ = std::make_unique<Impl>();
  v->impl_->store = std::move(*chain);
  auto txn = v->impl_->store->env().beginRead();
  if (!txn) return txn.status();
  v->impl_->txn.emplace(std::move(*txn));
  v->impl_->view = std::make_unique<TxnChainView>(v->impl_->store->genesis(), *v->impl_->txn);
  return v;
}

StoreChainView::~StoreChainView() {
  if (impl_) impl_->view.reset();  // before the transaction it reads through
}
const Genesis& StoreChainView::genesis() const { return impl_->store->genesis(); }
std::optional<BlockInfo> StoreChainView::blockInfo(const Hash256& id) const {
  return impl_->view->blockInfo(id);
}
const LedgerReader* StoreChainView::stateAt(const Hash256& id) const {
  return impl_->view->stateAt(id);
}
BlockInfo StoreChainView::tip() const { return impl_->view->tip(); }
std::optional<Bytes> StoreChainView::blockBytes(const Hash256& id) const {
  // ChainView's readers report store failures by throwing (orThrow), as
  // blockInfo does; the tool boundary turns them into exit code 4.
  return orThrow(impl_->txn->get(kBlocks, id));
}

Result<BlockInfo> ChainStore::tip() {
  auto r = env_->beginRead();
  if (!r) return r.status();
  return readTip(*r);
}

Result<std::optional<Hash256>> ChainStore::activeAt(uint64_t height) {
  auto r = env_->beginRead();
  if (!r) return r.status();
  auto v = r->get(kActive, heightKey(height));
  if (!v) return v.status();
  if (!v->has_value()) return std::optional<Hash256>();
  return Hash256::fromBytes((*v)->data(), (*v)->size());
}

Result<std::optional<Bytes>> ChainStore::block(const Hash256& id) {
  auto r = env_->beginRead();
  if (!r) return r.status();
  return r->get(kBlocks, id);
}

Result<std::optional<BlockInfo>> ChainStore::info(const Hash256& id) {
  auto r = env_->beginRead();
  if (!r) return r.status();
  return readInfo(*r, id);
}

Result<std::optional<Account>> ChainStore::account(const Address& address) {
  auto r = env_->beginRead();
  if (!r) return r.status();
  std::optional<Account> out;
  POT_TRY(guarded([&] {
    out = LmdbLedger(*r).account(address);
    return Status::ok();
  }));
  return out;
}

Result<std::optional<ModelRecord>> ChainStore::model(const Hash256& modelId) {
  auto r = env_->beginRead();
  if (!r) return r.status();
  std::optional<ModelRecord> out;
  POT_TRY(guarded([&] {
    out = LmdbLedger(*r).model(modelId);
    return Status::ok();
  }));
  return out;
}

Result<std::optional<Bytes>> ChainStore::request(const Hash256& modelId) {
  auto r = env_->beginRead();
  if (!r) return r.status();
  return r->get(kRequests, modelId);
}

Result<std::vector<ModelRecord>> ChainStore::models() {
  auto r = env_->beginRead();
  if (!r) return r.status();
  std::vector<ModelRecord> out;
  POT_TRY(guarded([&] {
    out = modelQueue(LmdbLedger(*r));
    return Status::ok();
  }));
  return out;
}

Result<std::vector<PublicKey>> ChainStore::stakeholders(const Bytes& headerMessage) {
  auto m = decodeMessage(headerMessage);
  if (!m) return m.status();
  POT_TRY(expectKind(**m, schema::Envelope::BLOCK_HEADER, "header"));
  auto r = env_->beginRead();
  if (!r) return r.status();
  // Stakeholders are asked for headers being built now, on or near the tip;
  // a header on an old parent would make this query rebuild that parent's
  // state, O(depth) for any client.
  POT_TRY(checkForkDepth(*r, (*m)->envelope().getBlockHeader().getBody().getParent(),
                         std::min(maxReorgDepth_, kMaxStakeholdersDepth)));
  Result<std::vector<PublicKey>> out = Status::internal("unset");
  POT_TRY(guarded([&] {
    TxnChainView view(genesis_, *r);
    out = stakeholdersOf(view, (*m)->envelope().getBlockHeader());
    return Status::ok();
  }));
  return out;
}

Status ChainStore::exportChain(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::io("cannot create '" + dir + "': " + ec.message());
  auto t = tip();
  if (!t) return t.status();
  auto name = [&](uint64_t h) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%06llu.block", static_cast<unsigned long long>(h));
    return dir + "/" + buf;
  };
  auto bestAt = [&](uint64_t h) -> Result<Bytes> {
    auto id = activeAt(h);
    if (!id) return id.status();
    if (!id->has_value())
      return Status::io("best chain has no block at height " + std::to_string(h));
    auto bytes = block(**id);
    if (!bytes) return bytes.status();
    if (!bytes->has_value()) return Status::io("missing block " + (*id)->hex());
    return std::move(**bytes);
  };
  // Files are written oldest first, so after a completed export those that
  // match the best chain are a prefix: its end is found from the top (one
  // file after a new tip, down to the fork after a reorganisation), rather
  // than by reading every file on each new block. An export that did not
  // complete (killed, disk full) leaves a marker, and the next one checks
  // every file.
  const std::string marker = dir + "/.export-incomplete";
  const bool full = fs::exists(marker, ec);
  uint64_t matching = t->height;
  for (; matching > 0 && !full; --matching) {
    auto want = bestAt(matching);
    if (!want) return want.status();
    auto existing = readFile(name(matching), kMaxBlockFileBytes);
    if (existing && *existing == *want) break;
  }
  // Stale files: heights above the tip (a reorganisation to a shorter
  // chain) and temp files of a write that was killed.
  std::vector<fs::path> stale;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string f = e.path().filename().string();
    const bool block = f.size() > 6 && f.compare(f.size() - 6, 6, ".block") == 0 &&
                       f.find_first_not_of("0123456789") == f.size() - 6;
    if ((block && std::stoull(f.substr(0, f.size() - 6)) > t->height) ||
        f.find(".block.tmp.") != std::string::npos)
      stale.push_back(e.path());
  }
  if (matching == t->height && stale.empty() && !full) return Status::ok();
  POT_TRY(writeFileAtomic(marker, Bytes{}));
  for (const auto& f : stale) fs::remove(f, ec);
  for (uint64_t h = full ? 1 : matching + 1; h <= t->height; ++h) {
    auto bytes = bestAt(h);
    if (!bytes) return bytes.status();
    if (full) {
      auto existing = readFile(name(h), kMaxBlockFileBytes);
      if (existing && *existing == *bytes) continue;
    }
    POT_TRY(writeFileAtomic(name(h), *bytes));
  }
  if (::unlink(marker.c_str()) != 0) return Status::io("cannot remove '" + marker + "'");
  return Status::ok();
}

}  // namespace pot::chaind
