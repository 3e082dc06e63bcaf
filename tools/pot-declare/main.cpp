// pot-declare: Alg. 1, a signed training declaration for a stage this node trained.
#include <iostream>

#include "libcommon/consensus/declaration.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{"Declare a trained stage (Alg. 1): commitment, coinstake, PoS search, signature.",
               "pot-declare"};
  pot::ChainArgs chain;
  std::string keyPath, model, request, stateHash, statePath, rho, out = "-";
  uint32_t stage = 0;
  uint64_t stakeAmount = 0;
  bool json = false, quiet = false;
  app.add_option("-k,--key", keyPath, "The node's private key (staker and signer)")->required();
  chain.add(app, /*clock=*/true);
  app.add_option("--model", model,
                 "Model id (default: the head of the chain's fee-priority queue)");
  app.add_option("--request", request, "...or the TrainingRequest file whose model it is");
  app.add_option("-s,--stage", stage, "The stage trained, i+1 (default: the model's next stage)");
  app.add_option("--state-hash", stateHash, "H(S_{i+1}): 64 hex digits");
  app.add_option("--state", statePath, "...or the S_{i+1} file itself");
  app.add_option("--rho", rho, "The training secret rho: 64 hex digits or a file holding them")
      ->required();
  app.add_option("--stake", stakeAmount, "Coins to stake, base units (default: the whole balance)");
  app.add_option("-o,--output", out, "Declaration file to write ('-' for stdout)");
  app.add_flag("--json", json, "Print {\"id\", \"timestamp\"} after writing a file");
  app.add_flag("-q,--quiet", quiet, "No progress on stderr");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    auto key = pot::SigningKey::load(keyPath);
    if (!key) return key.status();
    pot::DeclareOptions o;
    if (!model.empty() && !request.empty())
      return pot::Status::usage("give at most one of --model or --request");
    auto c = chain.load();
    if (!c) return c.status();
    if (model.empty() && request.empty()) {
      auto queue = pot::modelQueue(*(*c)->stateAt((*c)->tip().id));
      if (queue.empty())
        return pot::Status::invalid(
            "no model to train: the queue is empty and no dummy model is left");
      o.modelId = queue.front().modelId;
    } else if (!model.empty()) {
      auto m = pot::parseHashArg(model, "--model");
      if (!m) return m.status();
      o.modelId = *m;
    } else {
      auto r = pot::readMessage(request, pot::schema::Envelope::TRAINING_REQUEST);
      if (!r) return r.status();
      o.modelId = pot::modelIdOf((*r)->envelope().getTrainingRequest());
    }
    auto h = pot::stateHashArg(stateHash, statePath);
    if (!h) return h.status();
    o.stateHash = *h;
    auto r = pot::parseHashArg(rho, "--rho");
    if (!r) return r.status();
    o.rho = *r;
    o.stage = stage;
    o.stakeAmount = stakeAmount;
    o.maxWait = chain.maxWait;
    if (!quiet && !chain.now && pot::isTerminal(2))
      pot::note("pot-declare", "searching for a passing timestamp");
    std::optional<pot::PosMiss> miss;
    auto td = pot::declare(**c, *key, o, chain.makeClock(), &miss);
    if (!td) {
      // A plain answer a script can act on (ask again later), besides the message.
      if (miss)
        std::cout << "no-passing-second " << miss->earliest << " " << miss->latest << std::endl;
      return td.status();
    }
    POT_TRY(pot::writeOutput(out, *td, /*binary=*/true));
    if (out != "-") {
      auto m = pot::decodeMessage(*td);
      if (!m) return m.status();
      auto b = (*m)->envelope().getTrainingDeclaration().getBody();
      const std::string id = pot::messageId(pot::Domain::kDeclaration, b).hex();
      if (json)
        std::cout << pot::JsonWriter()
                         .beginObject()
                         .field("id", id)
                         .field("timestamp", b.getTimestamp())
                         .field("model", o.modelId.hex())
                         .field("stage", b.getStage())
                         .endObject()
                         .str()
                  << "\n";
      else
        std::cout << id << "\n";
    }
    return pot::Status::ok();
  });
}
