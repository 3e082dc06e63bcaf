// What a validator reads of the chain: blocks by id, their parents and their states.
#pragma once

#include <optional>

#include "libcommon/consensus/fork_choice.h"
#include "libcommon/consensus/genesis.h"
#include "libcommon/consensus/ledger.h"

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
  // The block file of an accepted block (not the genesis), for readers that
  // need its header (the auditor walking a model's stages). Views that keep
  // no block bodies (validation-only fakes) answer nullopt.
  virtual std::optional<Bytes> blockBytes(const Hash256& id) const {
    (void)id;
    return std::nullopt;
  }
};

}  // namespace pot
