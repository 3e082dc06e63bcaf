// Fork choice over a block tree (docs/protocol.md, "Fork choice").
#include "libcommon/consensus/fork_choice.h"

#include <algorithm>

namespace pot {

bool betterTip(const TreeEntry& a, const TreeEntry& b) {
  if (a.cumulativeTrust != b.cumulativeTrust) return b.cumulativeTrust < a.cumulativeTrust;
  return a.id < b.id;  // equal trust: the lower block id wins, so every node picks the same
}

void BlockTree::setRoot(const Hash256& genesisId) {
  entries_.clear();
  entries_[genesisId] = TreeEntry{genesisId, Hash256{}, 0, Uint256{}};
  best_ = genesisId;
}

Result<TreeEntry> BlockTree::add(const Hash256& id, const Hash256& parent, const Uint256& trust) {
  auto known = entries_.find(id);
  if (known != entries_.end()) return known->second;
  auto p = entries_.find(parent);
  if (p == entries_.end()) return Status::invalid("unknown parent " + parent.hex());
  TreeEntry e{id, parent, p->second.height + 1, addSaturating(p->second.cumulativeTrust, trust)};
  entries_[id] = e;
  if (betterTip(e, entries_.at(best_))) best_ = id;
  return e;
}

std::optional<TreeEntry> BlockTree::find(const Hash256& id) const {
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

Result<Reorganisation> BlockTree::path(const Hash256& from, const Hash256& to) const {
  auto a = find(from), b = find(to);
  if (!a) return Status::invalid("unknown block " + from.hex());
  if (!b) return Status::invalid("unknown block " + to.hex());
  Reorganisation r;
  // Walk the higher side down until both sides meet at the fork.
  while (a->id != b->id) {
    if (a->height >= b->height) {
      r.disconnect.push_back(a->id);
      a = find(a->parent);
    } else {
      r.connect.push_back(b->id);
      b = find(b->parent);
    }
    if (!a || !b) return Status::internal("block tree is not connected");
  }
  r.fork = a->id;
  std::reverse(r.connect.begin(), r.connect.end());
  return r;
}

}  // namespace pot
