// A chain held in memory and replayed from block files (docs/protocol.md, "Chain files").
#include "libcommon/consensus/memory_chain.h"

#include <algorithm>
#include <filesystem>

#include "libcommon/consensus/state_transition.h"
#include "libcommon/consensus/validate.h"

namespace pot {

Result<std::unique_ptr<MemoryChain>> MemoryChain::create(Genesis genesis) {
  std::unique_ptr<MemoryChain> c(new MemoryChain(std::move(genesis)));
  const Hash256 id = c->genesis_.id;
  c->tree_.setRoot(id);
  auto state = std::make_unique<MemoryLedger>();
  POT_TRY(initLedger(*state, c->genesis_));
  c->states_[id] = std::move(state);
  c->infos_[id] = BlockInfo{id, Hash256{}, 0, c->genesis_.timestamp, Uint256{}, Uint256{}};
  return c;
}

std::optional<BlockInfo> MemoryChain::blockInfo(const Hash256& id) const {
  auto it = infos_.find(id);
  if (it == infos_.end()) return std::nullopt;
  return it->second;
}

const LedgerReader* MemoryChain::stateAt(const Hash256& id) const {
  auto it = states_.find(id);
  return it == states_.end() ? nullptr : it->second.get();
}

BlockInfo MemoryChain::tip() const { return infos_.at(tree_.best().id); }

const Message* MemoryChain::block(const Hash256& id) const {
  auto it = blocks_.find(id);
  return it == blocks_.end() ? nullptr : it->second.get();
}

std::optional<Bytes> MemoryChain::blockBytes(const Hash256& id) const {
  const Message* m = block(id);
  if (!m) return std::nullopt;
  return m->bytes();
}

Status MemoryChain::addBlock(const Message& block, uint64_t now) {
  ValidationResult v = validateBlock(*this, block, now);
  if (!v.valid()) return v.toStatus();
  if (infos_.count(v.blockId)) return Status::ok();
  auto b = block.envelope().getBlock();
  auto h = b.getBody().getHeader().getBody();
  auto parentId = Hash256::fromBytes(h.getParent().begin(), h.getParent().size());
  // A copy shares the parent's requests (never changed once written).
  auto state = std::make_unique<MemoryLedger>(*states_.at(*parentId));
  Rejection why;
  auto undo = applyBlock(*state, b, params(), v.blockId, &why, /*signaturesVerified=*/true);
  if (!undo)
    return Status::internal("a validated block failed to apply: " + undo.status().message());
  auto entry = tree_.add(v.blockId, *parentId, v.trust);
  if (!entry) return entry.status();
  states_[v.blockId] = std::move(state);
  auto copy = decodeMessage(block.bytes());
  if (!copy) return copy.status();
  blocks_[v.blockId] = std::shared_ptr<const Message>(std::move(*copy));
  infos_[v.blockId] = BlockInfo{v.blockId,        *parentId, entry->height,
                                h.getTimestamp(), v.trust,   entry->cumulativeTrust};
  return Status::ok();
}

Result<std::unique_ptr<MemoryChain>> loadChain(const std::string& genesisPath,
                                               const std::string& chainDir) {
  auto genesis = loadGenesis(genesisPath);
  if (!genesis) return genesis.status();
  auto chain = MemoryChain::create(std::move(*genesis));
  if (!chain) return chain.status();
  if (chainDir.empty()) return chain;
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> files;
  for (fs::directory_iterator it(chainDir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // Hidden files and the temporaries of an atomic write in progress are not blocks.
    if (name.empty() || name[0] == '.' || name.find(".tmp.") != std::string::npos ||
        !it->is_regular_file())
      continue;
    files.push_back(it->path().string());
  }
  if (ec) return Status::io("cannot read chain directory '" + chainDir + "': " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto m = readMessage(f);
    if (!m) return Status::io("chain directory: " + m.status().message());
    Status s = (*chain)->addBlock(**m, UINT64_MAX);
    if (!s) return Status::io("chain directory: block '" + f + "' rejected: " + s.message());
  }
  return chain;
}

}  // namespace pot
