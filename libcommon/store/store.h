// A thin RAII layer over LMDB: an environment with a schema record, named
// databases, move-only transactions that abort unless committed.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot::store {

// A borrowed byte range: keys and values without copies.
struct Slice {
  const void* data = nullptr;
  size_t size = 0;
  Slice() = default;
  Slice(const void* d, size_t n) : data(d), size(n) {}
  Slice(std::string_view s) : data(s.data()), size(s.size()) {}    // NOLINT
  Slice(const char* s) : Slice(std::string_view(s)) {}             // NOLINT
  Slice(const std::string& s) : data(s.data()), size(s.size()) {}  // NOLINT
  Slice(const Bytes& b) : data(b.data()), size(b.size()) {}        // NOLINT
  Slice(const Hash256& h) : data(h.data()), size(h.size()) {}      // NOLINT
  Bytes bytes() const {
    auto p = static_cast<const uint8_t*>(data);
    return Bytes(p, p + size);
  }
};

struct EnvOptions {
  // Identifies what the store holds, e.g. "pot-chaind"; checked at open so
  // a tool never reads a database written in another layout.
  std::string schemaName = "pot";
  uint32_t schemaVersion = 1;
  std::vector<std::string> databases;  // named databases, created if writable
  uint64_t initialMapSize = 64ull << 20;
  uint64_t maxMapSize = 1ull << 40;
  bool readOnly = false;
};

class Env;

// A transaction; aborts in its destructor unless commit() succeeded.
class Txn {
 public:
  Txn(Txn&& other) noexcept;
  Txn& operator=(Txn&& other) noexcept;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn();

  // std::nullopt when the key is absent; a Status only on store failure.
  Result<std::optional<Bytes>> get(const std::string& db, Slice key) const;
  Status put(const std::string& db, Slice key, Slice value);
  // True when the key existed.
  Result<bool> del(const std::string& db, Slice key);
  // Visits keys >= from in order until `visit` returns false.
  Status scan(const std::string& db, Slice from,
              const std::function<bool(Slice key, Slice value)>& visit) const;
  // The last key/value of a database (e.g. the highest height); nullopt if empty.
  Result<std::optional<std::pair<Bytes, Bytes>>> last(const std::string& db) const;
  Status commit();
  void abort();

  // Set when a put failed because the map is full: Env::update grows and retries.
  bool mapFull() const { return mapFull_; }

 private:
  friend class Env;
  Txn(Env* env, MDB_txn* txn) : env_(env), txn_(txn) {}
  Result<MDB_dbi> dbi(const std::string& db) const;
  Env* env_ = nullptr;
  MDB_txn* txn_ = nullptr;
  bool mapFull_ = false;
};

class Env {
 public:
  // Opens (or creates, when writable) the store in directory `dir`. Refuses
  // a store whose schema record names another schema or version, and a
  // damaged file, with an I/O status (exit code 4).
  static Result<std::unique_ptr<Env>> open(const std::string& dir, const EnvOptions& options);
  ~Env();
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;

  Result<Txn> beginRead();
  Result<Txn> beginWrite();

  // Runs `body` in a write transaction and commits it. When the map is full
  // the transaction is aborted, the map doubled and `body` run again, so
  // `body` must have no effect outside the transaction. Returns once the
  // commit is durable (the basis of "acknowledged only after commit").
  Status update(const std::function<Status(Txn&)>& body);

  uint64_t mapSize() const;
  const std::string& dir() const { return dir_; }

 private:
  friend class Txn;
  Env() = default;
  Status grow();
  MDB_env* env_ = nullptr;
  std::string dir_;
  EnvOptions options_;
  std::map<std::string, MDB_dbi> dbis_;
};

// Status for an LMDB return code, naming what was being done.
Status lmdbStatus(int rc, const std::string& what);

}  // namespace pot::store
