// pot-chaind (DESIGN 6): the node's chain on LMDB: blocks, header index with
// cumulative trust, ledger state of the best chain, undo data, block import
// with validation and reorganisation, and the queries peers and tools make.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/net/net.h"
#include "libcommon/store/store.h"

namespace pot::chaind {

// Bumped whenever a database's layout changes; checked at open.
constexpr uint32_t kSchemaVersion = 1;

struct ImportResult {
  Hash256 id;
  uint64_t height = 0;
  bool known = false;       // already stored: nothing written
  bool tipChanged = false;  // the block is (now part of) the best chain
  size_t disconnected = 0;  // blocks a reorganisation took off the best chain
};

// Where the best chain recorded a state H(S_stage) (the per-model stage index).
struct StateRecord {
  Hash256 modelId;
  uint32_t stage = 0;
  Hash256 block;
};

class ChainStore {
 public:
  // Opens the store in `dir`. A new store needs `genesisPath`; an existing
  // one refuses a different genesis. readOnly opens for tools that only
  // read state while pot-chaind writes.
  static Result<std::unique_ptr<ChainStore>> open(const std::string& dir,
                                                  const std::string& genesisPath, bool readOnly);

  // Validates `bytes` as a block against the stored chain at time `now`, and
  // stores it; moves the best chain (undoing and applying blocks) when it
  // has more cumulative trust (DESIGN 5.7). Returns only after the LMDB
  // transaction committed, so an acknowledged block survives kill -9.
  // Invalid blocks: Status::invalid("<reason-code>: ..."), nothing written.
  Result<ImportResult> importBlock(const Bytes& bytes, uint64_t now);

  Result<BlockInfo> tip();
  Result<std::optional<Hash256>> activeAt(uint64_t height);  // best chain at height
  Result<std::optional<Bytes>> block(const Hash256& id);
  Result<std::optional<BlockInfo>> info(const Hash256& id);
  Result<std::optional<Account>> account(const Address& address);
  Result<std::optional<ModelRecord>> model(const Hash256& modelId);
  Result<std::vector<ModelRecord>> models();
  Result<std::optional<StateRecord>> stateRecord(const Hash256& stateHash);
  // Stakeholders 1..K of a header over its parent's state (DESIGN 5.5).
  Result<std::vector<PublicKey>> stakeholders(const Bytes& headerMessage);

  const Genesis& genesis() const { return genesis_; }
  store::Env& env() { return *env_; }

  // Writes the best chain as <dir>/NNNNNN.block files (height order) for the
  // tools that replay a chain directory (--chain); removes stale files.
  Status exportChain(const std::string& dir);

 private:
  ChainStore() = default;
  std::unique_ptr<store::Env> env_;
  Genesis genesis_;
};

// A consistent read-only view of a pot-chaind store for the tools that
// validate or build on the chain (DESIGN 6: other tools read its LMDB
// read-only). It holds one LMDB read transaction: the snapshot stays fixed
// while pot-chaind keeps writing.
class StoreChainView : public ChainView {
 public:
  static Result<std::unique_ptr<StoreChainView>> open(const std::string& dir);
  ~StoreChainView() override;
  const Genesis& genesis() const override;
  std::optional<BlockInfo> blockInfo(const Hash256& id) const override;
  const LedgerReader* stateAt(const Hash256& id) const override;
  BlockInfo tip() const override;

 private:
  StoreChainView() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Transactions seen on gossip that may go into the next block (the
// "pending" query). Signatures were checked by pot-gossip; nonces and
// balances are the validator's, so this only orders and filters by nonce.
class PendingPool {
 public:
  // Nonces kept per sender: [next nonce at the tip, next + kNonceWindow).
  static constexpr uint64_t kNonceWindow = 64;
  explicit PendingPool(size_t capacity = 10000) : capacity_(capacity) {}
  // Keeps a decoded transaction message whose sender exists at the tip, can
  // pay its fee and uses a nonce in the window; refuses other kinds.
  Status add(const Bytes& message, ChainStore& chain);
  // For each sender, the transactions whose nonces follow its on-chain nonce
  // without a gap, in nonce order; those the chain already used are dropped.
  Result<std::vector<Bytes>> select(ChainStore& chain);
  size_t size() const;

 private:
  size_t capacity_;
  std::map<Address, std::map<uint64_t, Bytes>> bySender_;
};

// JSON views for queries and --json output.
std::string blockInfoJson(const BlockInfo& info);
std::string accountJson(const Address& address, const std::optional<Account>& account);
std::string modelJson(const ModelRecord& model);

// Answers one query (see docs/protocol.md, "Network"): tip, block,
// block-at, account, model, models, state, stakeholders, range, submit,
// pending.
net::Frames handle(ChainStore& chain, const net::Frames& request, uint64_t now,
                   PendingPool* pending = nullptr);

struct ServeOptions {
  std::string bind = "tcp://127.0.0.1:*";
  std::string endpointFile;
  std::string gossipEvents;           // import blocks published on local gossip
  std::string gossipControl;          // publish blocks we import from files/sync
  std::vector<std::string> syncFrom;  // peers' chaind endpoints to catch up from
  std::string exportDir;              // keep a --chain directory up to date
  int syncIntervalMs = 500;
  uint64_t syncBatchBlocks = 64;  // blocks per sync request (at most 256)
  uint64_t maxMessageBytes = 64ull << 20;
  uint64_t banSeconds = 600;         // how long a misbehaving client or sync peer is refused
  std::vector<std::string> trusted;  // --trust: never banned (see trustedAddresses)
  bool quiet = false;
};
Status serve(ChainStore& chain, const ServeOptions& options);

// Client side of the query protocol.
Result<net::Frames> query(const std::string& endpoint, const net::Frames& request, int timeoutMs);

}  // namespace pot::chaind
