// LMDB environment, schema record and transactions (see store.h).
#include "libcommon/store/store.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "libcommon/core/coding.h"

namespace pot::store {

namespace {

// The schema record lives in its own database so user databases stay pure.
constexpr const char* kMetaDb = "__meta";
constexpr const char* kSchemaKey = "schema";

MDB_val val(Slice s) { return MDB_val{s.size, const_cast<void*>(s.data)}; }
Slice slice(const MDB_val& v) { return Slice(v.mv_data, v.mv_size); }

Bytes schemaRecord(const EnvOptions& o) {
  Bytes r(o.schemaName.begin(), o.schemaName.end());
  r.push_back(0);
  coding::appendLe32(r, o.schemaVersion);
  return r;
}

std::string describeRecord(const Bytes& r) {
  auto nul = std::find(r.begin(), r.end(), uint8_t{0});
  if (nul == r.end() || r.end() - nul != 5) return "an unreadable schema record";
  uint32_t v = coding::getLe32(&*(nul + 1));
  return "schema '" + std::string(r.begin(), nul) + "' version " + std::to_string(v);
}

}  // namespace

Status lmdbStatus(int rc, const std::string& what) {
  if (rc == MDB_SUCCESS) return Status::ok();
  return Status::io(what + ": " + mdb_strerror(rc));
}

// ------------------------------------------------------------------ Txn

Txn::Txn(Txn&& other) noexcept : env_(other.env_), txn_(other.txn_), mapFull_(other.mapFull_) {
  other.txn_ = nullptr;
}

Txn& Txn::operator=(Txn&& other) noexcept {
  if (this != &other) {
    abort();
    env_ = other.env_;
    txn_ = other.txn_;
    mapFull_ = other.mapFull_;
    other.txn_ = nullptr;
  }
  return *this;
}

Txn::~Txn() { abort(); }

void Txn::abort() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
  txn_ = nullptr;
}

Result<MDB_dbi> Txn::dbi(const std::string& db) const {
  if (txn_ == nullptr) return Status::internal("transaction already finished");
  auto it = env_->dbis_.find(db);
  if (it == env_->dbis_.end()) return Status::internal("unknown database '" + db + "'");
  return it->second;
}

Result<std::optional<Bytes>> Txn::get(const std::string& db, Slice key) const {
  auto d = dbi(db);
  if (!d) return d.status();
  MDB_val k = val(key), v{};
  int rc = mdb_get(txn_, *d, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<Bytes>();
  if (rc != MDB_SUCCESS) return lmdbStatus(rc, "cannot read '" + db + "'");
  return std::optional<Bytes>(slice(v).bytes());
}

Status Txn::put(const std::string& db, Slice key, Slice value) {
  auto d = dbi(db);
  if (!d) return d.status();
  MDB_val k = val(key), v = val(value);
  int rc = mdb_put(txn_, *d, &k, &v, 0);
  if (rc == MDB_MAP_FULL) mapFull_ = true;
  return lmdbStatus(rc, "cannot write '" + db + "'");
}

Result<bool> Txn::del(const std::string& db, Slice key) {
  auto d = dbi(db);
  if (!d) return d.status();
  MDB_val k = val(key);
  int rc = mdb_del(txn_, *d, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc == MDB_MAP_FULL) mapFull_ = true;
  if (rc != MDB_SUCCESS) return lmdbStatus(rc, "cannot delete from '" + db + "'");
  return true;
}

Status Txn::scan(const std::string& db, Slice from,
                 const std::function<bool(Slice, Slice)>& visit) const {
  auto d = dbi(db);
  if (!d) return d.status();
  MDB_cursor* cur = nullptr;
  POT_TRY(lmdbStatus(mdb_cursor_open(txn_, *d, &cur), "cannot open cursor on '" + db + "'"));
  MDB_val k = val(from), v{};
  int rc = mdb_cursor_get(cur, &k, &v, from.size == 0 ? MDB_FIRST : MDB_SET_RANGE);
  while (rc == MDB_SUCCESS) {
    if (!visit(slice(k), slice(v))) break;
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cur);
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) return lmdbStatus(rc, "cannot scan '" + db + "'");
  return Status::ok();
}

Result<std::optional<std::pair<Bytes, Bytes>>> Txn::last(const std::string& db) const {
  auto d = dbi(db);
  if (!d) return d.status();
  MDB_cursor* cur = nullptr;
  POT_TRY(lmdbStatus(mdb_cursor_open(txn_, *d, &cur), "cannot open cursor on '" + db + "'"));
  MDB_val k{}, v{};
  int rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
  std::optional<std::pair<Bytes, Bytes>> out;
  if (rc == MDB_SUCCESS) out = std::make_pair(slice(k).bytes(), slice(v).bytes());
  mdb_cursor_close(cur);
  if (rc != MDB_SUCCESS && rc != MDB_NOTFOUND) return lmdbStatus(rc, "cannot read '" + db + "'");
  return out;
}

Status Txn::commit() {
  if (txn_ == nullptr) return Status::internal("transaction already finished");
  int rc = mdb_txn_commit(txn_);
  txn_ = nullptr;  // LMDB frees the transaction whether or not commit succeeded
  if (rc == MDB_MAP_FULL) mapFull_ = true;
  return lmdbStatus(rc, "cannot commit");
}

// ------------------------------------------------------------------ Env

Env::~Env() {
  if (env_ != nullptr) mdb_env_close(env_);
}

Result<std::unique_ptr<Env>> Env::open(const std::string& dir, const EnvOptions& options) {
  std::unique_ptr<Env> env(new Env());
  env->dir_ = dir;
  env->options_ = options;
  if (!options.readOnly && ::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Status::io("cannot create '" + dir + "': " + std::strerror(errno));
  const std::string where = "cannot open store '" + dir + "'";
  POT_TRY(lmdbStatus(mdb_env_create(&env->env_), where));
  POT_TRY(lmdbStatus(
      mdb_env_set_maxdbs(env->env_, static_cast<MDB_dbi>(options.databases.size() + 1)), where));
  POT_TRY(lmdbStatus(mdb_env_set_mapsize(env->env_, options.initialMapSize), where));
  unsigned flags = options.readOnly ? MDB_RDONLY : 0;
  int rc = mdb_env_open(env->env_, dir.c_str(), flags, 0644);
  if (rc == ENOENT) return Status::io(where + ": no such store");
  POT_TRY(lmdbStatus(rc, where));

  // Databases and the schema record, in one transaction: a fresh store gets
  // its record atomically with its databases.
  MDB_txn* raw = nullptr;
  rc = mdb_txn_begin(env->env_, nullptr, flags, &raw);
  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize(env->env_, 0);
    rc = mdb_txn_begin(env->env_, nullptr, flags, &raw);
  }
  POT_TRY(lmdbStatus(rc, where));
  Txn txn(env.get(), raw);
  unsigned dbFlags = options.readOnly ? 0 : MDB_CREATE;
  std::vector<std::string> names = options.databases;
  names.push_back(kMetaDb);
  for (const auto& name : names) {
    MDB_dbi dbi = 0;
    rc = mdb_dbi_open(raw, name.c_str(), dbFlags, &dbi);
    if (rc == MDB_NOTFOUND) return Status::io(where + ": it has no database '" + name + "'");
    POT_TRY(lmdbStatus(rc, where + ": database '" + name + "'"));
    env->dbis_[name] = dbi;
  }
  auto record = txn.get(kMetaDb, kSchemaKey);
  if (!record) return record.status().withContext(where);
  const Bytes want = schemaRecord(options);
  if (!record->has_value()) {
    if (options.readOnly) return Status::io(where + ": it has no schema record");
    for (const auto& name : options.databases) {
      bool empty = true;
      POT_TRY(txn.scan(name, Slice(), [&](Slice, Slice) { return empty = false; }));
      if (!empty) return Status::io(where + ": it has data but no schema record");
    }
    POT_TRY(txn.put(kMetaDb, kSchemaKey, want));
  } else if (**record != want) {
    return Status::io(where + ": it holds " + describeRecord(**record) + ", expected " +
                      describeRecord(want));
  }
  POT_TRY(txn.commit().withContext(where));
  return env;
}

uint64_t Env::mapSize() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

Result<Txn> Env::beginRead() {
  MDB_txn* raw = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &raw);
  if (rc == MDB_MAP_RESIZED) {  // the writer grew the map since we opened
    mdb_env_set_mapsize(env_, 0);
    rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &raw);
  }
  POT_TRY(lmdbStatus(rc, "cannot begin read in '" + dir_ + "'"));
  return Txn(this, raw);
}

Result<Txn> Env::beginWrite() {
  if (options_.readOnly) return Status::internal("store '" + dir_ + "' is open read-only");
  MDB_txn* raw = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, 0, &raw);
  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize(env_, 0);
    rc = mdb_txn_begin(env_, nullptr, 0, &raw);
  }
  POT_TRY(lmdbStatus(rc, "cannot begin write in '" + dir_ + "'"));
  return Txn(this, raw);
}

Status Env::grow() {
  uint64_t size = mapSize();
  if (size >= options_.maxMapSize)
    return Status::io("store '" + dir_ + "' is full at its maximum map size");
  uint64_t next = std::min(options_.maxMapSize, size * 2);
  return lmdbStatus(mdb_env_set_mapsize(env_, next), "cannot grow store '" + dir_ + "'");
}

Status Env::update(const std::function<Status(Txn&)>& body) {
  for (;;) {
    auto txn = beginWrite();
    if (!txn) return txn.status();
    Status s = body(*txn);
    if (s.isOk()) s = txn->commit();
    bool full = txn->mapFull();
    txn->abort();
    if (s.isOk() || !full) return s;
    POT_TRY(grow());  // no transaction of ours is open here, as LMDB requires
  }
}

}  // namespace pot::store
