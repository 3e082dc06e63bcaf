// The chain store: pot-chaind's chain on LMDB (DESIGN 6), read by tools too.
//
// Blocks, header index with cumulative trust, ledger state of the best
// chain, undo data, block import with validation and reorganisation, and
// the readers and export that tools use.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/block_signatures.h"
#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/reject_reason.h"
#include "libcommon/core/message_io.h"
#include "libcommon/store/store.h"

namespace pot::chaind {

// Bumped whenever a database's layout changes; checked at open. Version 2
// added the per-key work index (`work`, `earned`); version 3 moved each
// model's request out of its progress record into `requests`.
constexpr uint32_t kSchemaVersion = 3;

// The deepest reorganisation a store performs (docs/protocol.md,
// "pot-chaind"): a block whose branch leaves the best chain further below
// the tip is refused ("fork-too-deep"), not validated.
constexpr uint64_t kMaxReorgDepth = 1000;

// The stakeholders query answers only for headers whose parent's branch
// leaves the best chain at most this far below the tip (a cost bound, as
// kMaxReorgDepth is for imports).
constexpr uint64_t kMaxStakeholdersDepth = 64;

// The largest block or genesis message the store reads, as a file or from
// its own records.
constexpr uint64_t kMaxBlockFileBytes = 64ull << 20;

// Bulk import (pot-chaind import, sync from a peer): how many blocks share
// a write transaction, and how many threads check signatures.
struct BulkOptions {
  size_t blocksPerCommit = 256;
  unsigned threads = 0;  // 0: every core this process may use
};

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

// What a key did in a best-chain block (DESIGN 6: "the declarations,
// headers and blocks it made with their rewards"). Stored as one byte.
enum class WorkRole : uint8_t { kHeader = 1, kBlock = 2, kDeclaration = 3, kStakeholder = 4 };
constexpr size_t kWorkRoles = 4;
// "header", "block", "declaration", "stakeholder-signature".
const char* workRoleName(WorkRole role);

// One contribution and the coinbase it earned: the header builder's share,
// the wrapper's share plus transaction fees, a declarer's stage fee, a
// stakeholder's share (0 when the block paid nothing for it, as for the
// dummy model's free stages).
struct WorkEntry {
  uint64_t height = 0;
  Hash256 block;
  WorkRole role = WorkRole::kHeader;
  uint64_t reward = 0;
};

// A key's work on the best chain: totals per role over the whole chain,
// and its newest entries.
struct WorkHistory {
  struct Total {
    uint64_t count = 0, reward = 0;
  };
  std::array<Total, kWorkRoles> totals{};  // index: role - 1
  std::vector<WorkEntry> recent;           // newest first
  bool more = false;                       // older entries exist beyond `recent`
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

  // Bulk import: `blocks` in order, each with the result or refusal
  // importBlock would give it, but the decoding and every signature of the
  // blocks checked on all cores ahead (the next batch while this one is
  // applied), and up to options.blocksPerCommit blocks committed per write
  // transaction. `committed(i, result)` is called for block i once the
  // transaction that holds it committed (so a kill -9 loses at most the
  // uncommitted tail: the store keeps a gap-free prefix). Stops at the
  // first refused block: the blocks before it stay stored, none after it is
  // tried; returns its status (`rejected` gets its reason), or ok.
  Status importBlocks(const std::vector<Bytes>& blocks, uint64_t now,
                      const std::function<void(size_t, const ImportResult&)>& committed,
                      RejectReason* rejected = nullptr, const BulkOptions& options = {});

  Result<BlockInfo> tip();
  Result<std::optional<Hash256>> activeAt(uint64_t height);  // best chain at height
  Result<std::optional<Bytes>> block(const Hash256& id);
  Result<std::optional<BlockInfo>> info(const Hash256& id);
  Result<std::optional<Account>> account(const Address& address);
  Result<std::optional<ModelRecord>> model(const Hash256& modelId);
  Result<std::vector<ModelRecord>> models();
  // A registered model's TrainingRequest file.
  Result<std::optional<Bytes>> request(const Hash256& modelId);
  // The first best-chain block that recorded `stateHash` (a later block of
  // another model or stage reaching the same hash does not replace it).
  Result<std::optional<StateRecord>> stateRecord(const Hash256& stateHash);
  // `address`'s work index: totals and at most `limit` newest entries; its
  // cost is bounded by `limit`, not by the chain's length.
  Result<WorkHistory> workHistory(const Address& address, size_t limit);
  // Stakeholders 1..K of a header over its parent's state (DESIGN 5.5).
  Result<std::vector<PublicKey>> stakeholders(const Bytes& headerMessage);

  // The reorganisation depth cap for later imports (kMaxReorgDepth by default).
  void setMaxReorgDepth(uint64_t blocks) { maxReorgDepth_ = blocks; }

  const Genesis& genesis() const { return genesis_; }
  store::Env& env() { return *env_; }

  // Writes the best chain as <dir>/NNNNNN.block files (height order) for the
  // tools that replay a chain directory (--chain); removes stale files.
  Status exportChain(const std::string& dir);

 private:
  ChainStore() = default;
  static Result<MessagePtr> checkMessage(const Bytes& bytes, RejectReason& why,
                                         BlockSignatures& checked);
  Status importChecked(store::Txn& txn, const Message& message, const Bytes& bytes, uint64_t now,
                       RejectReason& why, const BlockSignatures& checked, ImportResult& result);
  std::unique_ptr<store::Env> env_;
  Genesis genesis_;
  uint64_t maxReorgDepth_ = kMaxReorgDepth;
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
