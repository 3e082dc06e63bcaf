// pot-next: the stage the network trains next on the best tip (DESIGN 5.1, 5.8), as one line.
#include <iostream>

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
  chain.add(app, /*clock=*/false);
  app.add_flag("--json", json, "One JSON object instead of the plain line");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    auto c = chain.load();
    if (!c) return c.status();
    auto next = pot::nextTraining(**c);
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
