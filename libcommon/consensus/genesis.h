// Genesis file and chain parameters (DESIGN 5.1): make, load, and seed a ledger.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/target.h"

namespace pot {

struct RewardSplit {
  uint32_t headerBuilder = 0;  // parts per 10000; rounding remainder goes here too
  uint32_t wrapper = 0;
  uint32_t stakeholders = 0;
};

struct ChainParams {
  std::string chainName;
  Uint256 declarationBaseTarget;
  Uint256 headerBaseTarget;
  uint32_t stakeholders = 0;  // K
  uint32_t minDeclarers = 0;  // bounds on a request's C
  uint32_t maxDeclarers = 0;
  uint64_t minStakeAge = 0;
  uint64_t maxStakeAge = 0;
  uint64_t targetSpacing = 0;  // T
  uint64_t maxClockDrift = 0;
  uint64_t initialBlockReward = 0;
  uint64_t halvingInterval = 0;  // blocks; 0 = never
  RewardSplit rewardSplit;
  uint64_t referenceNodeSpeed = 0;
};

struct Allocation {
  Address address;
  uint64_t amount = 0;
};

// A decoded genesis file. Its ID (the "block" height 0) is SHA-256 of the file bytes.
struct Genesis {
  ChainParams params;
  std::vector<Allocation> allocations;
  uint64_t timestamp = 0;
  Hash256 id;
  std::optional<ModelRecord> dummyModel;  // registered at height 0, anchored at `id`
  Bytes dummyRequest;                     // its request file, when there is a dummy
  std::shared_ptr<const Message> message;
};

Result<Genesis> parseGenesis(std::shared_ptr<const Message> message);
Result<Genesis> loadGenesis(const std::string& path);

// Seeds an empty store: allocations (ageSince = genesis time), the dummy model.
Status initLedger(LedgerStore& store, const Genesis& genesis);

// What pot-genesis takes; unset base targets are derived from T (see .cpp).
struct GenesisOptions {
  ChainParams params;
  std::vector<Allocation> allocations;
  uint64_t timestamp = 0;
  std::optional<Bytes> dummyRequest;  // a TrainingRequest Envelope file
  bool deriveDeclarationTarget = true;
  bool deriveHeaderTarget = true;
};

// Defaults suitable for a small test chain.
ChainParams defaultChainParams();

// Checks the parameters and returns the genesis file bytes.
Result<Bytes> makeGenesis(const GenesisOptions& options);

}  // namespace pot
