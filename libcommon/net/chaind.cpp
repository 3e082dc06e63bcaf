// pot-chaind: LMDB ledger and chain index, block import with reorganisation, queries.
#include "libcommon/net/chaind.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/fork_choice.h"
#include "libcommon/consensus/ledger_records.h"
#include "libcommon/consensus/state_transition.h"
#include "libcommon/consensus/validate.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/signatures.h"
#include "libcommon/net/chain_sync.h"
#include "libcommon/net/gossip.h"
#include "libcommon/net/peer_guard.h"

namespace pot::chaind {

namespace {

// One database per index (lmdb++/Monero style).
const char* kBlocks = "blocks";      // block id -> block message bytes
const char* kInfos = "infos";        // block id -> BlockInfo record
const char* kActive = "active";      // height (big-endian u64) -> id on the best chain
const char* kAccounts = "accounts";  // address -> Account record (ascending = FTC order)
const char* kModels = "models";      // model id -> ModelRecord record
const char* kUndo = "undo";          // block id -> BlockUndo record
const char* kStates = "states";  // H(S_i) on the best chain -> model id || stage (BE32) || block id
const char* kMeta = "chain";     // "genesis" -> file bytes, "tip" -> id, "supply" -> u64

Bytes heightKey(uint64_t h) {
  Bytes k(8);
  for (int i = 0; i < 8; ++i) k[i] = static_cast<uint8_t>(h >> (8 * (7 - i)));
  return k;
}

void putU64(Bytes& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
uint64_t getU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

Bytes encodeInfo(const BlockInfo& b) {
  Bytes out(b.id.bytes.begin(), b.id.bytes.end());
  out.insert(out.end(), b.parent.bytes.begin(), b.parent.bytes.end());
  putU64(out, b.height);
  putU64(out, b.timestamp);
  out.insert(out.end(), b.trust.bytes.begin(), b.trust.bytes.end());
  out.insert(out.end(), b.cumulativeTrust.bytes.begin(), b.cumulativeTrust.bytes.end());
  return out;
}

std::optional<BlockInfo> decodeInfo(const Bytes& r) {
  if (r.size() != 144) return std::nullopt;
  BlockInfo b;
  b.id = *Hash256::fromBytes(r.data(), 32);
  b.parent = *Hash256::fromBytes(r.data() + 32, 32);
  b.height = getU64(r.data() + 64);
  b.timestamp = getU64(r.data() + 72);
  b.trust = *Hash256::fromBytes(r.data() + 80, 32);
  b.cumulativeTrust = *Hash256::fromBytes(r.data() + 112, 32);
  return b;
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
    return v && v->size() == 8 ? getU64(v->data()) : 0;
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
  Status eraseModel(const Hash256& id) override {
    auto r = txn_.del(kModels, id);
    return r ? Status::ok() : r.status();
  }
  Status setTotalSupply(uint64_t supply) override {
    Bytes b;
    putU64(b, supply);
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
      if (!applyBlock(*overlay, (*m)->envelope().getBlock(), params(), c)) return nullptr;
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
  o.databases = {kBlocks, kInfos, kActive, kAccounts, kModels, kUndo, kStates, kMeta};
  o.readOnly = readOnly;
  return o;
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

// ------------------------------------------------------------------ store

Result<std::unique_ptr<ChainStore>> ChainStore::open(const std::string& dir,
                                                     const std::string& genesisPath,
                                                     bool readOnly) {
  std::unique_ptr<ChainStore> c(new ChainStore());
  auto env = store::Env::open(dir, envOptions(readOnly));
  if (!env) return env.status();
  c->env_ = std::move(*env);
  std::optional<Bytes> given;
  if (!genesisPath.empty()) {
    auto g = readFile(genesisPath, 64ull << 20);
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

Result<ImportResult> ChainStore::importBlock(const Bytes& bytes, uint64_t now) {
  ReadLimits limits;
  limits.maxBytes = 64ull << 20;
  auto m = decodeMessage(bytes, limits);
  if (!m) return m.status();
  POT_TRY(expectKind(**m, schema::Envelope::BLOCK, "submitted message"));
  // Checked before "known": a copy of a stored block with a forged
  // signature has the same id but is still a bad message.
  if (!hasValidSignature(**m))
    return Status::invalid("bad-block-sig: the wrapper's signature does not verify");
  auto blk = (*m)->envelope().getBlock();
  ImportResult result;
  result.id = blockIdOf(blk);
  Status s = env_->update([&](store::Txn& txn) -> Status {
    return guarded([&]() -> Status {
      result = ImportResult{result.id};
      auto existing = readInfo(txn, result.id);
      if (!existing) return existing.status();
      if (existing->has_value()) {
        result.known = true;
        result.height = (*existing)->height;
        return Status::ok();
      }
      TxnChainView view(genesis_, txn);
      ValidationResult v = validateBlock(view, **m, now);
      POT_TRY(v.toStatus());
      auto parentId =
          Hash256::fromBytes(blk.getBody().getHeader().getBody().getParent().begin(), 32);
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
        store::Slice stateKey(dh.getStateHash().begin(), dh.getStateHash().size());
        auto rec = txn.get(kStates, stateKey);
        if (!rec) return rec.status();
        if (rec->has_value() && (*rec)->size() >= 32 &&
            std::equal(d.bytes.begin(), d.bytes.end(), (*rec)->end() - 32)) {
          auto gs = txn.del(kStates, stateKey);
          if (!gs) return gs.status();
        }
      }
      for (const auto& c : path->connect) {
        auto b = txn.get(kBlocks, c);
        if (!b) return b.status();
        if (!b->has_value()) return Status::io("missing block " + c.hex());
        auto cm = decodeMessage(**b, limits);
        if (!cm) return cm.status();
        Rejection why;
        auto undo = applyBlock(ledger, (*cm)->envelope().getBlock(), genesis_.params, c, &why);
        if (!undo)
          return Status::internal("stored block " + c.hex() + " failed to apply: " + why.code +
                                  " " + undo.status().message());
        POT_TRY(txn.put(kUndo, c, encodeUndo(*undo)));
        // The per-model stage index: which states the best chain recorded.
        auto ch = (*cm)->envelope().getBlock().getBody().getHeader().getBody();
        Bytes where(ch.getModelId().begin(), ch.getModelId().end());
        for (int i = 3; i >= 0; --i)
          where.push_back(static_cast<uint8_t>(ch.getStage() >> (8 * i)));
        where.insert(where.end(), c.bytes.begin(), c.bytes.end());
        POT_TRY(txn.put(kStates, store::Slice(ch.getStateHash().begin(), ch.getStateHash().size()),
                        where));
        auto ci = readInfo(txn, c);
        if (!ci || !ci->has_value()) return Status::io("index is missing block " + c.hex());
        POT_TRY(txn.put(kActive, heightKey((*ci)->height), c));
      }
      POT_TRY(txn.put(kMeta, "tip", info.id));
      result.tipChanged = true;
      result.disconnected = path->disconnect.size();
      return Status::ok();
    });
  });
  if (!s) return s;
  return result;
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
  rec.stage = (uint32_t{b[32]} << 24) | (uint32_t{b[33]} << 16) | (uint32_t{b[34]} << 8) | b[35];
  rec.block = *Hash256::fromBytes(b.data() + 36, 32);
  return std::optional<StateRecord>(rec);
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
    auto existing = readFile(name(matching), 64ull << 20);
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
      auto existing = readFile(name(h), 64ull << 20);
      if (existing && *existing == *bytes) continue;
    }
    POT_TRY(writeFileAtomic(name(h), *bytes));
  }
  if (::unlink(marker.c_str()) != 0) return Status::io("cannot remove '" + marker + "'");
  return Status::ok();
}

// ------------------------------------------------------------------ JSON

std::string blockInfoJson(const BlockInfo& b) {
  std::ostringstream j;
  j << "{\"id\": \"" << b.id.hex() << "\", \"parent\": \"" << b.parent.hex()
    << "\", \"height\": " << b.height << ", \"timestamp\": " << b.timestamp << ", \"trust\": \""
    << b.trust.hex() << "\", \"cumulativeTrust\": \"" << b.cumulativeTrust.hex() << "\"}";
  return j.str();
}

std::string accountJson(const Address& address, const std::optional<Account>& a) {
  std::ostringstream j;
  j << "{\"address\": \"" << address.hex() << "\", \"exists\": " << (a ? "true" : "false")
    << ", \"balance\": " << (a ? a->balance : 0) << ", \"nonce\": " << (a ? a->nonce : 0)
    << ", \"ageSince\": " << (a ? a->ageSince : 0) << "}";
  return j.str();
}

std::string modelJson(const ModelRecord& m) {
  std::ostringstream j;
  j << "{\"modelId\": \"" << m.modelId.hex() << "\", \"escrow\": \"" << m.escrow.hex()
    << "\", \"feePerStage\": " << m.feePerStage << ", \"declarers\": " << m.declarers
    << ", \"stagesTotal\": " << m.stagesTotal << ", \"lastStage\": " << m.lastStage
    << ", \"lastStateHash\": \"" << m.lastStateHash.hex() << "\", \"anchor\": \"" << m.anchor.hex()
    << "\", \"lastHeight\": " << m.lastHeight << ", \"active\": " << (m.active() ? "true" : "false")
    << ", \"isDummy\": " << (m.isDummy ? "true" : "false") << "}";
  return j.str();
}

// ------------------------------------------------------------------ queries

namespace {
std::optional<uint64_t> parseU64(const Bytes& b) {
  std::string s = net::text(b);
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(s);
}
Bytes hashFrame(const Hash256& h) { return Bytes(h.bytes.begin(), h.bytes.end()); }
constexpr uint64_t kMaxRange = 256;
}  // namespace

Status PendingPool::add(const Bytes& message, ChainStore& chain) {
  auto m = decodeMessage(message);
  if (!m) return m.status();
  POT_TRY(expectKind(**m, schema::Envelope::TRANSACTION, "pending transaction"));
  auto body = (*m)->envelope().getTransaction().getBody();
  auto sender = Hash256::fromBytes(body.getSender().begin(), body.getSender().size());
  if (!sender) return Status::malformed("transaction sender is not 32 bytes");
  // Signed spam from fresh keys costs nothing: keep only what the sender
  // could pay for, within a window of its next nonce, so the pool cannot be
  // filled by accounts that will never make a block.
  auto account = chain.account(*sender);
  if (!account) return account.status();
  if (!*account || (*account)->balance < body.getFee())
    return Status::invalid("the sender cannot pay the fee at the tip");
  const uint64_t next = (*account)->nonce;
  if (body.getNonce() < next || body.getNonce() - next >= kNonceWindow)
    return Status::invalid("nonce " + std::to_string(body.getNonce()) + " is outside [" +
                           std::to_string(next) + ", " + std::to_string(next + kNonceWindow) + ")");
  if (size() >= capacity_) return Status::io("pending pool is full");
  bySender_[*sender][body.getNonce()] = message;
  return Status::ok();
}

size_t PendingPool::size() const {
  size_t n = 0;
  for (const auto& [sender, txs] : bySender_) n += txs.size();
  return n;
}

Result<std::vector<Bytes>> PendingPool::select(ChainStore& chain) {
  std::vector<Bytes> out;
  for (auto it = bySender_.begin(); it != bySender_.end();) {
    auto account = chain.account(it->first);
    if (!account) return account.status();
    uint64_t next = *account ? (*account)->nonce : 0;
    auto& txs = it->second;
    txs.erase(txs.begin(), txs.lower_bound(next));  // already on chain
    for (auto t = txs.find(next); t != txs.end() && t->first == next; ++t, ++next)
      out.push_back(t->second);
    it = txs.empty() ? bySender_.erase(it) : std::next(it);
  }
  return out;
}

net::Frames handle(ChainStore& chain, const net::Frames& req, uint64_t now, PendingPool* pending) {
  using net::errorReply;
  using net::frame;
  using net::okReply;
  if (req.empty()) return errorReply(Status::malformed("empty request"));
  const std::string verb = net::text(req[0]);
  auto hashArg = [&](size_t i) { return Hash256::fromBytes(req[i].data(), req[i].size()); };
  if (verb == "tip" && req.size() == 1) {
    auto t = chain.tip();
    return t ? okReply({frame(blockInfoJson(*t))}) : errorReply(t.status());
  }
  if (verb == "block" && req.size() == 2) {
    auto id = hashArg(1);
    if (!id) return errorReply(Status::malformed("block needs a 32-byte id"));
    auto b = chain.block(*id);
    if (!b) return errorReply(b.status());
    if (!b->has_value()) return errorReply(Status::invalid("no block " + id->hex()));
    return okReply({**b});
  }
  if (verb == "block-at" && req.size() == 2) {
    auto h = parseU64(req[1]);
    if (!h) return errorReply(Status::malformed("block-at needs a decimal height"));
    auto id = chain.activeAt(*h);
    if (!id) return errorReply(id.status());
    if (!id->has_value() || *h == 0)
      return errorReply(Status::invalid("no block at height " + std::to_string(*h)));
    auto b = chain.block(**id);
    if (!b || !b->has_value()) return errorReply(Status::io("best chain block missing"));
    return okReply({**b});
  }
  if (verb == "range" && req.size() == 3) {
    auto from = parseU64(req[1]), count = parseU64(req[2]);
    if (!from || !count || *from == 0)
      return errorReply(Status::malformed("range needs FROM>=1 COUNT"));
    net::Frames blocks;
    for (uint64_t h = *from; h < *from + std::min(*count, kMaxRange); ++h) {
      auto id = chain.activeAt(h);
      if (!id) return errorReply(id.status());
      if (!id->has_value()) break;
      auto b = chain.block(**id);
      if (!b || !b->has_value()) return errorReply(Status::io("best chain block missing"));
      blocks.push_back(std::move(**b));
    }
    return okReply(std::move(blocks));
  }
  if (verb == "account" && req.size() == 2) {
    auto a = hashArg(1);
    if (!a) return errorReply(Status::malformed("account needs a 32-byte address"));
    auto acc = chain.account(*a);
    return acc ? okReply({frame(accountJson(*a, *acc))}) : errorReply(acc.status());
  }
  if (verb == "model" && req.size() == 2) {
    auto id = hashArg(1);
    if (!id) return errorReply(Status::malformed("model needs a 32-byte model id"));
    auto m = chain.model(*id);
    if (!m) return errorReply(m.status());
    if (!m->has_value()) return errorReply(Status::invalid("no model " + id->hex()));
    return okReply({frame(modelJson(**m))});
  }
  if (verb == "state" && req.size() == 2) {
    auto h = hashArg(1);
    if (!h) return errorReply(Status::malformed("state needs a 32-byte hash"));
    auto rec = chain.stateRecord(*h);
    if (!rec) return errorReply(rec.status());
    if (!rec->has_value())
      return errorReply(Status::invalid("state " + h->hex() + " is not on the best chain"));
    return okReply(
        {frame("{\"stateHash\": \"" + h->hex() + "\", \"modelId\": \"" + (*rec)->modelId.hex() +
               "\", \"stage\": " + std::to_string((*rec)->stage) + ", \"block\": \"" +
               (*rec)->block.hex() + "\"}")});
  }
  if (verb == "models" && req.size() == 1) {
    auto ms = chain.models();
    if (!ms) return errorReply(ms.status());
    std::string j = "[";
    for (size_t i = 0; i < ms->size(); ++i) j += (i ? ", " : "") + modelJson((*ms)[i]);
    return okReply({frame(j + "]")});
  }
  if (verb == "stakeholders" && req.size() == 2) {
    auto s = chain.stakeholders(req[1]);
    if (!s) return errorReply(s.status());
    net::Frames keys;
    for (const auto& k : *s) keys.push_back(frame(k.hex()));
    return okReply(std::move(keys));
  }
  if (verb == "pending" && req.size() == 1) {
    if (!pending) return okReply({});
    auto txs = pending->select(chain);
    if (!txs) return errorReply(txs.status());
    return okReply(std::move(*txs));
  }
  if (verb == "submit" && req.size() == 2) {
    auto r = chain.importBlock(req[1], now);
    if (!r) return errorReply(r.status());
    return okReply({hashFrame(r->id),
                    frame(r->known        ? "known"
                          : r->tipChanged ? "tip"
                                          : "side"),
                    frame(std::to_string(r->height))});
  }
  return errorReply(Status::malformed("unknown query '" + verb.substr(0, 32) + "'"));
}

Result<net::Frames> query(const std::string& endpoint, const net::Frames& request, int timeoutMs) {
  return net::request(endpoint, request, timeoutMs, 1ull << 30);
}

// ------------------------------------------------------------------ daemon

namespace {
uint64_t wallClock() { return static_cast<uint64_t>(std::time(nullptr)); }
}  // namespace

namespace {
// A refused request that an honest client never sends: undecodable or
// unknown requests, and blocks that are invalid for good. An orphan or a
// block from the future may be an honest race, and "not found" answers are
// not refusals.
bool isMisbehaviour(const net::Frames& request, const net::Frames& reply) {
  if (reply.size() != 3 || net::text(reply[0]) != "error") return false;
  const std::string code = net::text(reply[1]), why = net::text(reply[2]);
  if (code == std::to_string(static_cast<int>(ExitCode::kMalformed))) return true;
  const bool submit = !request.empty() && net::text(request[0]) == "submit";
  return submit && code == std::to_string(static_cast<int>(ExitCode::kInvalid)) &&
         why.rfind("unknown-parent", 0) != 0 && why.rfind("time-too-new", 0) != 0;
}
}  // namespace

Status serve(ChainStore& chain, const ServeOptions& o) {
  net::GuardOptions g;
  g.banDuration = std::chrono::seconds(o.banSeconds);
  g.trusted = net::trustedAddresses(o.trusted);
  auto guard = net::PeerGuard::create(g);
  if (!guard) return guard.status();
  zmq::socket_t sock(net::context(), zmq::socket_type::router);
  sock.set(zmq::sockopt::linger, 0);
  net::setMaxMessageSize(sock, o.maxMessageBytes);
  (*guard)->protect(sock);
  auto endpoint = net::bind(sock, o.bind);
  if (!endpoint) return endpoint.status();
  std::unique_ptr<zmq::socket_t> events;
  if (!o.gossipEvents.empty()) {
    POT_TRY(net::checkEndpoint(o.gossipEvents, false));
    events = std::make_unique<zmq::socket_t>(net::context(), zmq::socket_type::sub);
    events->set(zmq::sockopt::linger, 0);
    net::setMaxMessageSize(*events, o.maxMessageBytes);
    events->set(zmq::sockopt::subscribe, "block");
    events->set(zmq::sockopt::subscribe, "transaction");
    events->set(zmq::sockopt::subscribe, gossip::kWelcome);
    events->connect(o.gossipEvents);
    // Announce the endpoint only once the subscription is live, so a block
    // published right after start-up is not missed.
    zmq::pollitem_t item{static_cast<void*>(*events), 0, ZMQ_POLLIN, 0};
    bool live = false;
    for (int i = 0; i < 100 && !live; ++i) {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0) continue;
      auto f = net::receive(*events, true);
      live = f && f->size() == 1 && net::text((*f)[0]) == gossip::kWelcome;
    }
    if (!live && !o.quiet)
      std::cerr << "pot-chaind: no welcome from " << o.gossipEvents << std::endl;
  }
  // Blocks we import otherwise go to gossip without waiting for its answer:
  // a gossip daemon that is down must not hold up imports.
  std::unique_ptr<zmq::socket_t> gossipOut;
  if (!o.gossipControl.empty()) {
    POT_TRY(net::checkEndpoint(o.gossipControl, false));
    gossipOut = std::make_unique<zmq::socket_t>(net::context(), zmq::socket_type::dealer);
    gossipOut->set(zmq::sockopt::linger, 0);
    gossipOut->connect(o.gossipControl);
  }
  net::installStopHandler();
  auto log = [&](const std::string& line) {
    if (!o.quiet) std::cerr << "pot-chaind: " << line << std::endl;
  };
  auto afterImport = [&](const ImportResult& r, const Bytes& bytes, bool fromGossip) {
    if (r.known) return;
    log(std::string(r.tipChanged ? "new tip " : "side block ") + r.id.hex().substr(0, 16) +
        " at height " + std::to_string(r.height) +
        (r.disconnected ? " (reorganised " + std::to_string(r.disconnected) + " blocks)" : ""));
    if (r.tipChanged && !o.exportDir.empty()) {
      Status s = chain.exportChain(o.exportDir);
      if (!s) log("cannot export: " + s.message());
    }
    if (!fromGossip && gossipOut) {
      Status sent = net::send(*gossipOut, {Bytes{}, net::frame("publish"), bytes});
      if (!sent) log("cannot hand block to gossip: " + sent.message());
    }
  };
  SyncOptions so;
  so.peers = o.syncFrom;
  so.intervalMs = o.syncIntervalMs;
  so.banSeconds = o.banSeconds;
  so.maxMessageBytes = o.maxMessageBytes;
  so.batchBlocks = o.syncBatchBlocks;
  auto syncer = ChainSync::create(
      chain, so, [&](const ImportResult& r, const Bytes& b) { afterImport(r, b, false); }, log);
  if (!syncer) return syncer.status();
  ChainSync& sync = **syncer;

  if (!o.exportDir.empty()) POT_TRY(chain.exportChain(o.exportDir));
  POT_TRY(net::announceEndpoint(o.endpointFile, *endpoint));
  log("serving on " + *endpoint);
  PendingPool pending;
  net::PeerGuard& peers = **guard;
  while (!net::stopRequested()) {
    std::vector<zmq::pollitem_t> items = {
        {static_cast<void*>(sock), 0, ZMQ_POLLIN, 0},
        {static_cast<void*>(peers.handshakes()), 0, ZMQ_POLLIN, 0},
        {events ? static_cast<void*>(*events) : nullptr, -1,
         static_cast<short>(events ? ZMQ_POLLIN : 0), 0}};
    sync.addPollItems(items);
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return Status::io(std::string("poll failed: ") + e.what());
    }
    if (items[1].revents & ZMQ_POLLIN) peers.answerHandshake();
    peers.tick();
    if (items[0].revents & ZMQ_POLLIN) {
      net::PeerOrigin origin;
      auto f = net::receiveFrom(sock, origin);
      if (!f) return f.status();
      if (peers.banned(origin)) {
        net::PeerGuard::disconnect(origin);  // sent before its ban took effect
      } else if (f->size() < 3 || !(*f)[1].empty()) {
        log("dropped client " + origin.address + ": not a request");
        peers.drop(origin);  // not even framed as a request: nothing to answer
      } else {
        net::Frames body(f->begin() + 2, f->end());
        net::Frames answer = handle(chain, body, wallClock(), &pending);
        if (isMisbehaviour(body, answer)) {
          log("dropped client " + origin.address + ": " + net::text(answer[2]));
          // The reply still leaves, so an honest tool with a bug learns why.
          peers.drop(origin, std::chrono::milliseconds(200));
        }
        net::Frames reply{(*f)[0], Bytes{}};
        for (auto& r : answer) reply.push_back(std::move(r));
        if (net::text(body[0]) == "submit" && net::text(reply[2]) == "ok" &&
            net::text(reply[4]) != "known") {
          ImportResult r;
          r.id = *Hash256::fromBytes(reply[3].data(), 32);
          r.tipChanged = net::text(reply[4]) == "tip";
          r.height = std::stoull(net::text(reply[5]));
          afterImport(r, body[1], false);
        }
        (void)net::send(sock, reply);
      }
    }
    if (events && (items[2].revents & ZMQ_POLLIN)) {
      auto f = net::receive(*events, true);
      if (f && f->size() == 2 && net::text((*f)[0]) == "transaction") {
        Status s = pending.add((*f)[1], chain);
        if (!s) log("pending transaction not kept: " + s.message());
      }
      if (f && f->size() == 2 && net::text((*f)[0]) == "block") {  // not the welcome
        auto r = chain.importBlock((*f)[1], wallClock());
        if (r)
          afterImport(*r, (*f)[1], true);
        else
          log("refused gossiped block: " + r.status().message());
      }
    }
    sync.onPoll(items.data() + 3);
    // Gossip's answers to our publishes: read only so they do not pile up.
    while (gossipOut) {
      auto answer = net::receive(*gossipOut, true);
      if (!answer || answer->empty()) break;
    }
  }
  if (!o.endpointFile.empty()) ::unlink(o.endpointFile.c_str());
  return Status::ok();
}

}  // namespace pot::chaind
