// pot-next: the stage the network trains next on the best tip (DESIGN 5.1, 5.8), as one line.
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "libcommon/consensus/duties.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Print the stage to train next on the best tip: the head of the fee queue, or the dummy "
      "model, whose stages cycle through its batches forever.",
      "pot-next"};
  pot::ChainArgs chain;
  bool json = false;
  std::vector<std::string> skipHex;
  chain.add(app, /*clock=*/false);
  app.add_flag("--json", json, "One JSON object instead of the plain line");
  app.add_option("--skip", skipHex,
                 "A model id this node failed to train: take the next queued model, or the "
                 "dummy (never skipped); repeatable");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    std::set<pot::Hash256> skipped;
    for (const auto& hex : skipHex) {
      auto id = pot::Hash256::fromHex(hex);
      if (!id) return pot::Status::usage("--skip '" + hex + "' is not a model id (64 hex digits)");
      skipped.insert(*id);
    }
    auto c = chain.load();
    if (!c) return c.status();
    auto next = pot::nextTraining(**c, skipped);
    if (!next) return next.status();
    if (!*next) return pot::Status::invalid("no model to train on the best tip");
    const pot::TrainingDuty& d = **next;
    if (json) {
      std::cout << pot::JsonWriter()
                       .beginObject()
                       .field("modelId", d.modelId.hex())
                       .field("stage", d.stage)
                       .field("previousState", d.previousState.hex())
                       .field("batch", d.batch.hex())
                       .field("declarers", d.declarers)
                       .field("anchor", d.anchor.hex())
                       .field("parent", d.parent.hex())
                       .endObject()
                       .str()
                << "\n";
    } else {
      std::cout << d.modelId.hex() << " " << d.stage << " " << d.previousState.hex() << " "
                << d.batch.hex() << " " << d.declarers << " " << d.anchor.hex() << " "
                << d.parent.hex() << "\n";
    }
    return pot::Status::ok();
  });
}
