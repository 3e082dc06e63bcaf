// pot-build-header: Alg. 2 steps 1-2, a signed block header from C checked declarations and the
// builder's rho.
#include <iostream>

#include "libcommon/consensus/header.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/fileio.h"
#include "libcommon/tool/chain_args.h"
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
  app.add_option("declarations", declarations, "Training declaration files (C or more)")
      ->required();
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
    auto tds = pot::readMessages(declarations, pot::schema::Envelope::TRAINING_DECLARATION);
    if (!tds) return tds.status();
    std::vector<const pot::Message*> ptrs;
    for (auto& m : *tds) ptrs.push_back(m.get());
    auto c = chain.load();
    if (!c) return c.status();
    auto built = pot::buildHeader(**c, *key, ptrs, o, chain.makeClock());
    if (!built) return built.status();
    if (!quiet)
      for (const auto& s : built->skipped) pot::note("pot-build-header", "left out " + s);
    POT_TRY(pot::writeOutput(out, built->header, /*binary=*/true));
    if (out != "-") {
      auto m = pot::decodeMessage(built->header);
      if (!m) return m.status();
      auto b = (*m)->envelope().getBlockHeader().getBody();
      const std::string id = pot::messageId(pot::Domain::kHeader, b).hex();
      if (json)
        std::cout << "{\"id\": \"" << id << "\", \"timestamp\": " << b.getTimestamp()
                  << ", \"skipped\": " << built->skipped.size() << "}\n";
      else
        std::cout << id << "\n";
    }
    return pot::Status::ok();
  });
}
