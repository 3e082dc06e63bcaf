// A chain held in memory and replayed from block files: tests and the small chains tools read.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/core/message_io.h"

namespace pot {

// A chain held in memory: every block's state is kept, so any known block can
// be a parent. Fine for tests and the small chains tools replay from files.
class MemoryChain : public ChainView {
 public:
  static Result<std::unique_ptr<MemoryChain>> create(Genesis genesis);

  const Genesis& genesis() const override { return genesis_; }
  std::optional<BlockInfo> blockInfo(const Hash256& id) const override;
  const LedgerReader* stateAt(const Hash256& id) const override;
  BlockInfo tip() const override;
  std::optional<Bytes> blockBytes(const Hash256& id) const override;

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
