// The chain store: pot-chaind's chain on LMDB (DESIGN 6), read by tools too.
//
// Blocks, header index with cumulative trust, ledger state of the best
// chain, undo data, block import with validation and reorganisation, and
// the readers and export that tools use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/reject_reason.h"
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
  // `rejected`, when given, receives the reason a refused block was
  // refused for (kNone when no rule refused it: our store failed, say), so
  // callers act on the reason, never on the message text.
  Result<ImportResult> importBlock(const Bytes& bytes, uint64_t now,
                                   RejectReason* rejected = nullptr);

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
  std::optional<Bytes> blockBytes(const Hash256& id) const override;

 private:
  StoreChainView() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pot::chaind
