// Fork choice (DESIGN 5.7): cumulative trust, lower-hash tie-break, and the reorganisation path.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"
#include "libcommon/core/target.h"

namespace pot {

struct TreeEntry {
  Hash256 id;
  Hash256 parent;
  uint64_t height = 0;
  Uint256 cumulativeTrust;
};

// True when a chain ending at `a` is preferred to one ending at `b`: more
// cumulative trust, and on a tie the lower block id.
bool betterTip(const TreeEntry& a, const TreeEntry& b);

// Blocks to disconnect (tip first) and connect (oldest first) to move the
// active chain from one tip to another.
struct Reorganisation {
  std::vector<Hash256> disconnect;
  std::vector<Hash256> connect;
  Hash256 fork;  // the last common block
};

// Every known block with its cumulative trust; the root is the genesis.
class BlockTree {
 public:
  void setRoot(const Hash256& genesisId);
  // Adds a block whose parent is known; returns its entry. Adding a known id
  // is a no-op that returns the existing entry.
  Result<TreeEntry> add(const Hash256& id, const Hash256& parent, const Uint256& trust);
  std::optional<TreeEntry> find(const Hash256& id) const;
  const TreeEntry& best() const { return entries_.at(best_); }
  Result<Reorganisation> path(const Hash256& from, const Hash256& to) const;
  size_t size() const { return entries_.size(); }

 private:
  std::map<Hash256, TreeEntry> entries_;
  Hash256 best_;
};

}  // namespace pot
