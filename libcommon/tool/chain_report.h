// The chain as people read it: one row per block (model, stage, declarers, stakeholders,
// rewards) with names for keys and models, and a run's verdict; what pot-devnet prints at its end.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "libcommon/core/crypto.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/core/message_io.h"

namespace pot {

// Names for keys and model ids; anything unnamed shows as its first 8 hex digits.
struct ReportNames {
  std::map<PublicKey, std::string> keys;
  std::map<Hash256, std::string> models;
  std::string key(const PublicKey& k) const;
  std::string model(const Hash256& m) const;
};

// Names every DIR/NAME.pem key (private or public) NAME; other files are ignored.
Status addKeyNames(ReportNames& names, const std::string& dir);

struct BlockRow {
  uint64_t height = 0;
  std::string model;
  uint32_t stage = 0;
  std::vector<std::string> declarers;       // in block order
  std::vector<std::string> stakeholders;    // signers 1..K-1, then the wrapper
  std::map<std::string, uint64_t> rewards;  // coinbase by name, base units
};

// The row of a block. Malformed when `block` is not a block.
Result<BlockRow> blockRow(const Message& block, const ReportNames& names);
BlockRow blockRow(schema::Block::Reader block, const ReportNames& names);

// The table's header line and one fixed-width line per row, rewards in coins
// with 4 decimals ("node1=0.5000"), names in order.
std::string reportHeading();
std::string formatRow(const BlockRow& row);

// {"height", "model", "stage", "declarers": [...], "stakeholders": [...], "rewards": {name: n}}.
void writeRow(JsonWriter& w, const BlockRow& row);

// A devnet run's outcome: the chain's final state against a single-process
// run of the same stages, their test accuracies, and whether every node held
// the same chain up to the last stage.
struct RunOutcome {
  Hash256 finalState;
  Hash256 referenceState;
  double accuracy = 0;
  double referenceAccuracy = 0;
  bool agree = false;
  bool identical() const { return finalState == referenceState; }
  bool passed() const { return identical() && agree; }
};

// The summary lines printed under the table.
std::string formatOutcome(const RunOutcome& outcome);

// {"blocks": [...]} and, given an outcome, "finalState", "referenceState",
// "identical", "accuracy", "referenceAccuracy", "agree": what pot-devnet
// --json writes.
std::string reportJson(const std::vector<BlockRow>& rows, const RunOutcome* outcome);

}  // namespace pot
