// The employer's repository (DESIGN 6): content-addressed objects in a folder
// written by pot-partition, served over ZeroMQ with hashes checked both ways.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"
#include "libcommon/net/net.h"

namespace pot::repo {

// Layout: <dir>/objects/<sha256 hex of the file bytes>, <dir>/request.
class Repository {
 public:
  // Decides whether an upload's hash is on chain (DESIGN 6: an uploaded
  // S_{i+1} is accepted only when its hash is on chain or already stored).
  using OnChain = std::function<Result<bool>(const Hash256&)>;

  Repository(std::string dir, uint64_t maxObjectBytes, OnChain onChain)
      : dir_(std::move(dir)), maxObjectBytes_(maxObjectBytes), onChain_(std::move(onChain)) {}

  Status check() const;  // the folder has objects/ and a request file

  // The object whose file hash is `hash`; the bytes are re-hashed before
  // they leave, so a damaged file is reported, not served (exit code 4).
  Result<Bytes> get(const Hash256& hash) const;
  Result<Bytes> request() const;

  // Stores `bytes` under their SHA-256 when they are one canonical PoT
  // message and the hash is on chain or already stored. Writes go through a
  // unique temp file and a rename, so concurrent puts of one object are
  // harmless. Returns the hash.
  Result<Hash256> put(const Bytes& bytes);

  std::string objectPath(const Hash256& hash) const { return dir_ + "/objects/" + hash.hex(); }

 private:
  std::string dir_;
  uint64_t maxObjectBytes_;
  OnChain onChain_;
};

// An allow-list file of hex hashes, one a line, re-read when it changes, so
// an operator (or a script) can append hashes while the server runs.
Repository::OnChain allowListFile(const std::string& path);

// Asks a pot-chaind whether a state hash is on its best chain ("state" query).
Repository::OnChain chaindOnChain(const std::string& endpoint, int timeoutMs);

// Answers one request: ["get", <32-byte hash>|"request"] or ["put", <bytes>].
net::Frames handle(Repository& repo, const net::Frames& request);

struct ServeOptions {
  std::string bind = "tcp://127.0.0.1:*";
  std::string endpointFile;  // where the resolved endpoint is written
  uint64_t maxObjectBytes = 256ull << 20;
  uint64_t banSeconds = 600;         // how long a client that sent garbage is refused
  std::vector<std::string> trusted;  // --trust: never banned (see trustedAddresses)
  std::string chaind;                // asked for the height in log lines; empty: "height=-"
  bool quiet = false;
};

// Serves until SIGINT/SIGTERM.
Status serve(Repository& repo, const ServeOptions& options);

// Client side: fetches an object and verifies its hash before returning it.
Result<Bytes> fetch(const std::string& endpoint, const Hash256& hash, int timeoutMs,
                    uint64_t maxBytes);
// Fetches the signed training request and checks it decodes and is signed.
Result<Bytes> fetchRequest(const std::string& endpoint, int timeoutMs, uint64_t maxBytes);
// Uploads an object; checks the server stored it under the hash we computed.
Result<Hash256> upload(const std::string& endpoint, const Bytes& bytes, int timeoutMs);

}  // namespace pot::repo
