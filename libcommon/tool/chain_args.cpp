// Shared option handling of the consensus tools (docs/protocol.md, "Chain files").
#include "libcommon/tool/chain_args.h"

#include <ctime>

#include "libcommon/consensus/memory_chain.h"
#include "libcommon/core/fileio.h"
#include "libcommon/store/chain_store.h"

namespace pot {

void ChainArgs::add(CLI::App& app, bool clock) {
  app.add_option("--db", db, "pot-chaind's database directory, read-only (its best chain)");
  app.add_option("--genesis", genesis, "Genesis file of the chain (instead of --db)");
  app.add_option("--chain", chain, "With --genesis: accepted block files, replayed in name order");
  if (clock) {
    app.add_option("--now", now, "Use this Unix time as the clock instead of waiting in real time");
    app.add_option("--max-wait", maxWait,
                   "Seconds to wait for a passing PoS timestamp (default 600)");
  }
}

Result<std::unique_ptr<ChainView>> ChainArgs::load() const {
  if (db.empty() == genesis.empty())
    return Status::usage("give either --db DIR or --genesis FILE (with --chain DIR)");
  if (!db.empty()) {
    if (!chain.empty()) return Status::usage("--chain goes with --genesis, not --db");
    // One read transaction: the tool sees one consistent snapshot while
    // pot-chaind keeps importing.
    auto view = chaind::StoreChainView::open(db);
    if (!view) return view.status();
    return std::unique_ptr<ChainView>(std::move(*view));
  }
  auto memory = loadChain(genesis, chain);
  if (!memory) return memory.status();
  return std::unique_ptr<ChainView>(std::move(*memory));
}

Clock ChainArgs::makeClock() const { return now ? fixedClock(*now) : systemClock(); }

uint64_t ChainArgs::currentTime() const {
  return now ? *now : static_cast<uint64_t>(std::time(nullptr));
}

Result<Hash256> stateHashArg(const std::string& stateHash, const std::string& statePath) {
  if (stateHash.empty() == statePath.empty())
    return Status::usage("give exactly one of --state-hash or --state");
  if (!stateHash.empty()) return parseHashArg(stateHash, "--state-hash");
  auto s = readMessage(statePath, schema::Envelope::MODEL_STATE);
  if (!s) return s.status();
  return (*s)->fileHash();
}

Result<Hash256> parseHashArg(const std::string& text, const std::string& what) {
  std::string hex = text;
  if (text.size() != 64) {
    auto bytes = readFile(text, 4096);
    if (!bytes)
      return Status::usage(what + ": '" + text + "' is neither 64 hex digits nor a readable file");
    hex.assign(bytes->begin(), bytes->end());
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' '))
      hex.pop_back();
  }
  auto h = Hash256::fromHex(hex);
  if (!h) return Status::usage(what + ": '" + text + "' is not 64 hex digits");
  return *h;
}

Result<Address> parseAddressArg(const std::string& text, const std::string& what) {
  if (auto a = addressFromText(text)) return *a;
  return Status::usage(what + ": '" + text + "' is neither 64 hex digits nor a PEM key file");
}

Result<std::vector<MessagePtr>> readMessages(const std::vector<std::string>& paths,
                                             schema::Envelope::Which kind) {
  std::vector<MessagePtr> out;
  for (const auto& p : paths) {
    auto m = readMessage(p, kind);
    if (!m) return m.status();
    out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace pot
