// What a validator reads of the chain: blocks by id, their parents and states; a file-replayed
// chain.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/fork_choice.h"
#include "libcommon/genesis.h"
#include "libcommon/ledger.h"
#include "libcommon/message_io.h"

namespace pot {

// One accepted block (or the genesis, height 0) as the chain indexes it.
struct BlockInfo {
  Hash256 id;
  Hash256 parent;  // zero for the genesis
  uint64_t height = 0;
  uint64_t timestamp = 0;
  Uint256 trust;  // blockTrust(header target); zero for the genesis
  Uint256 cumulativeTrust;
};

// Read-only chain access for validation (DESIGN 5.7). pot-chaind implements
// it over LMDB; MemoryChain over blocks replayed from files.
class ChainView {
 public:
  virtual ~ChainView() = default;
  virtual const Genesis& genesis() const = 0;
  const ChainParams& params() const { return genesis().params; }
  virtual std::optional<BlockInfo> blockInfo(const Hash256& id) const = 0;
  // The ledger state after block `id`; nullptr when this view cannot give it
  // (validation then reports an error, not an invalid block).
  virtual const LedgerReader* stateAt(const Hash256& id) const = 0;
  // The best tip (most cumulative trust, DESIGN 5.7).
  virtual BlockInfo tip() const = 0;
};

// A chain held in memory: every block's state is kept, so any known block can
// be a parent. Fine for tests and the small chains tools replay from files.
class MemoryChain : public ChainView {
 public:
  static Result<std::unique_ptr<MemoryChain>> create(Genesis genesis);

  const Genesis& genesis() const override { return genesis_; }
  std::optional<BlockInfo> blockInfo(const Hash256& id) const override;
  const LedgerReader* stateAt(const Hash256& id) const override;
  BlockInfo tip() const override;

  // Validates `block` against this chain at time `now` and, if valid, adds it.
  // A failed validation is Status::invalid with "<code>: <message>"; the block
  // is then not added.
  Status addBlock(const Message& block, uint64_t now);
  // The block message of an accepted block (not the genesis).
  const Message* block(const Hash256& id) const;
  const BlockTree& tree() const { return tree_; }

 private:
  explicit MemoryChain(Genesis genesis) : genesis_(std::move(genesis)) {}
  Genesis genesis_;
  BlockTree tree_;
  std::map<Hash256, std::shared_ptr<const Message>> blocks_;
  std::map<Hash256, std::unique_ptr<MemoryLedger>> states_;
  std::map<Hash256, BlockInfo> infos_;
};

// Loads `genesisPath` and replays every block file of `chainDir` (names in
// lexical order, e.g. 000001.block) through validation. Without a chain
// directory the chain is the genesis alone. Replayed blocks are checked
// against no clock (their own times are trusted as of their acceptance).
Result<std::unique_ptr<MemoryChain>> loadChain(const std::string& genesisPath,
                                               const std::string& chainDir);

}  // namespace pot
