// Command-line glue shared by the consensus tools: --genesis/--chain/--now, hashes and addresses.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/pos.h"

namespace pot {

// Where a tool gets chain state: pot-chaind's LMDB opened read-only (--db),
// or a genesis file and a directory of accepted block files replayed in
// name order (--genesis, --chain).
struct ChainArgs {
  std::string db;
  std::string genesis;
  std::string chain;
  std::optional<uint64_t> now;
  uint64_t maxWait = 600;

  // Adds --db, --genesis, --chain, and with `clock` also --now and --max-wait.
  void add(CLI::App& app, bool clock);
  // Exactly one source: --db, or --genesis with an optional --chain.
  Result<std::unique_ptr<ChainView>> load() const;
  // --now as a fixed clock, else the system clock.
  Clock makeClock() const;
  uint64_t currentTime() const;
};

// 64 hex digits, or a file holding them; `what` names the option in errors.
Result<Hash256> parseHashArg(const std::string& text, const std::string& what);

// H(S_{i+1}) from exactly one of --state-hash (hex or a file of it) or
// --state (the state file, hashed).
Result<Hash256> stateHashArg(const std::string& stateHash, const std::string& statePath);

// An account address: 64 hex digits, or a PEM public or private key file.
Result<Address> parseAddressArg(const std::string& text, const std::string& what);

// Reads message files of one kind ("-" allowed once).
Result<std::vector<MessagePtr>> readMessages(const std::vector<std::string>& paths,
                                             schema::Envelope::Which kind);

}  // namespace pot
