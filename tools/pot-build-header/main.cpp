// pot-build-header: Alg. 2 steps 1-2, a signed block header from C checked declarations and the
// builder's rho.
#include <algorithm>
#include <iostream>

#include "libcommon/consensus/duties.h"
#include "libcommon/consensus/header.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/spool.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Build a block header (Alg. 2 steps 1-2): check declarations, pick C, stake, reveal rho.",
      "pot-build-header"};
  pot::ChainArgs chain;
  std::string keyPath, rho, stateHash, statePath, trace, out = "-";
  std::vector<std::string> declarations;
  uint64_t stakeAmount = 0, after = 0;
  bool json = false, quiet = false;
  std::string spool, model, afterHeader;
  uint32_t stage = 0;
  app.add_option("declarations", declarations, "Training declaration files (C or more)");
  app.add_option("--spool", spool,
                 "pot-gossip's spool folder: its declarations of --model, --stage and the state "
                 "hash join the files given");
  app.add_option("--model", model, "With --spool: the model id (64 hex digits)");
  app.add_option("-s,--stage", stage, "With --spool: the stage i+1");
  app.add_option("-k,--key", keyPath, "The builder's private key")->required();
  chain.add(app, /*clock=*/true);
  app.add_option("--rho", rho, "The builder's own rho: 64 hex digits or a file holding them")
      ->required();
  app.add_option("--state-hash", stateHash, "The builder's own H(S_{i+1})");
  app.add_option("--state", statePath, "...or the S_{i+1} file itself");
  app.add_option("--loss-trace", trace, "LossTrace file whose hash the header carries");
  app.add_option("--stake", stakeAmount, "Coins to stake, base units (default: the whole balance)");
  app.add_option(
      "--after", after,
      "Only timestamps after this Unix time (a rebuilt header draws other stakeholders)");
  app.add_option("--after-header", afterHeader,
                 "Only timestamps after this earlier header's (a file; like --after)");
  app.add_option("-o,--output", out, "Header file to write ('-' for stdout)");
  app.add_flag("--json", json, "Print {\"id\", \"timestamp\", \"skipped\"} after writing a file");
  app.add_flag("-q,--quiet", quiet, "Do not list the declarations left out");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    auto key = pot::SigningKey::load(keyPath);
    if (!key) return key.status();
    pot::BuildHeaderOptions o;
    auto r = pot::parseHashArg(rho, "--rho");
    if (!r) return r.status();
    o.rho = *r;
    auto h = pot::stateHashArg(stateHash, statePath);
    if (!h) return h.status();
    o.stateHash = *h;
    if (!trace.empty()) {
      auto t = pot::readMessage(trace, pot::schema::Envelope::LOSS_TRACE);
      if (!t) return t.status();
      o.lossTraceHash = (*t)->fileHash();
    }
    o.stakeAmount = stakeAmount;
    o.maxWait = chain.maxWait;
    o.after = after;
    if (!afterHeader.empty()) {
      auto prev = pot::readMessage(afterHeader, pot::schema::Envelope::BLOCK_HEADER);
      if (!prev) return prev.status();
      o.after = std::max(o.after, (*prev)->envelope().getBlockHeader().getBody().getTimestamp());
    }
    auto tds = pot::readMessages(declarations, pot::schema::Envelope::TRAINING_DECLARATION);
    if (!tds) return tds.status();
    std::vector<const pot::Message*> ptrs;
    for (auto& m : *tds) ptrs.push_back(m.get());
    std::vector<pot::SpoolEntry> spooled;
    if (!spool.empty()) {
      if (model.empty() || stage == 0)
        return pot::Status::usage("--spool needs --model ID and --stage N");
      auto id = pot::parseHashArg(model, "--model");
      if (!id) return id.status();
      auto s = pot::readSpool(spool, pot::schema::Envelope::TRAINING_DECLARATION);
      if (!s) return s.status();
      spooled = std::move(*s);
      for (const auto* m :
           pot::matchingDeclarations(pot::pointersOf(spooled), *id, stage, o.stateHash))
        ptrs.push_back(m);
    } else if (ptrs.empty()) {
      return pot::Status::usage("give declaration files or --spool");
    }
    auto c = chain.load();
    if (!c) return c.status();
    std::optional<pot::PosMiss> miss;
    auto built = pot::buildHeader(**c, *key, ptrs, o, chain.makeClock(), &miss);
    if (!built) {
      // A plain answer a script can act on (ask again later), besides the message.
      if (miss)
        std::cout << "no-passing-second " << miss->earliest << " " << miss->latest << std::endl;
      return built.status();
    }
    if (!quiet)
      for (const auto& s : built->skipped) pot::note("pot-build-header", "left out " + s);
    POT_TRY(pot::writeOutput(out, built->header, /*binary=*/true));
    if (out != "-") {
      auto m = pot::decodeMessage(built->header);
      if (!m) return m.status();
      auto b = (*m)->envelope().getBlockHeader().getBody();
      const std::string id = pot::messageId(pot::Domain::kHeader, b).hex();
      if (json)
        std::cout << pot::JsonWriter()
                         .beginObject()
                         .field("id", id)
                         .field("timestamp", b.getTimestamp())
                         .field("skipped", built->skipped.size())
                         .endObject()
                         .str()
                  << "\n";
      else
        std::cout << id << "\n";
    }
    return pot::Status::ok();
  });
}
