// pot-genesis: write a chain's genesis file (allocations and every chain parameter).
#include <ctime>
#include <iostream>
#include <sstream>

#include "libcommon/consensus/genesis.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"

namespace {

// "ADDRESS=AMOUNT": hex key or PEM key file, amount in base units.
pot::Result<pot::Allocation> parseAllocation(const std::string& text) {
  auto eq = text.rfind('=');
  if (eq == std::string::npos)
    return pot::Status::usage("--alloc '" + text + "': expected ADDRESS=AMOUNT");
  auto addr = pot::parseAddressArg(text.substr(0, eq), "--alloc");
  if (!addr) return addr.status();
  const std::string amount = text.substr(eq + 1);
  if (amount.empty() || amount.find_first_not_of("0123456789") != std::string::npos ||
      amount.size() > 19)
    return pot::Status::usage("--alloc '" + text +
                              "': amount must be a whole number of base units");
  return pot::Allocation{*addr, std::stoull(amount)};
}

pot::Status parseTarget(const std::string& text, const std::string& what, pot::Uint256& out,
                        bool& derive) {
  if (text.empty()) return pot::Status::ok();
  derive = false;
  if (text == "max") {
    out = pot::uint256Max();
    return pot::Status::ok();
  }
  auto h = pot::Hash256::fromHex(text);
  if (!h) return pot::Status::usage(what + ": expected 'max' or 64 hex digits, got '" + text + "'");
  out = *h;
  return pot::Status::ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write the genesis file of a PoT chain: allocations and chain parameters.",
               "pot-genesis"};
  pot::GenesisOptions opt;
  opt.params = pot::defaultChainParams();
  pot::ChainParams& p = opt.params;
  std::vector<std::string> allocs;
  std::string out = "-", dummy, split, declTarget, headerTarget;
  std::optional<uint64_t> timestamp;
  bool json = false;
  app.add_option("-o,--output", out, "Genesis file to write ('-' for stdout)");
  app.add_option("--alloc", allocs,
                 "ADDRESS=AMOUNT: coins at genesis (hex key or PEM key file; base units)")
      ->required();
  app.add_option("--timestamp", timestamp, "Genesis time, Unix seconds (default: now)");
  app.add_option("--chain-name", p.chainName, "Name of the chain");
  app.add_option("--stakeholders", p.stakeholders, "K: stakeholders drawn per header (default 3)");
  app.add_option("--min-declarers", p.minDeclarers,
                 "Least C a training request may ask (default 1)");
  app.add_option("--max-declarers", p.maxDeclarers,
                 "Largest C a training request may ask (default 16)");
  app.add_option("--min-stake-age", p.minStakeAge,
                 "Seconds before staked coins count (default 60)");
  app.add_option("--max-stake-age", p.maxStakeAge,
                 "Age beyond which coins weigh no more (default 30 days)");
  app.add_option("--target-spacing", p.targetSpacing,
                 "T: target seconds between blocks (default 600)");
  app.add_option("--max-drift", p.maxClockDrift,
                 "Seconds a timestamp may be ahead of a validator's clock (default 15)");
  app.add_option("--block-reward", p.initialBlockReward,
                 "Initial block reward, base units (default 50 POT)");
  app.add_option("--halving-interval", p.halvingInterval,
                 "Blocks between reward halvings, 0 never (default 210000)");
  app.add_option("--split", split,
                 "BUILDER:WRAPPER:STAKEHOLDERS parts per 10000 (default 4000:2000:4000)");
  app.add_option("--reference-speed", p.referenceNodeSpeed,
                 "Training FLOP/s of the reference node");
  app.add_option("--declaration-target", declTarget,
                 "Declaration base target: 'max' or 64 hex digits (default: derived from T)");
  app.add_option("--header-target", headerTarget,
                 "Header base target: 'max' or 64 hex digits (default: derived from T)");
  app.add_option("--dummy-request", dummy,
                 "Signed TrainingRequest file trained when no request is active");
  app.add_flag("--json", json, "Print {\"id\": ..., \"file\": ...} instead of the bare genesis id");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    for (const auto& a : allocs) {
      auto alloc = parseAllocation(a);
      if (!alloc) return alloc.status();
      opt.allocations.push_back(*alloc);
    }
    if (!split.empty()) {
      unsigned b = 0, w = 0, s = 0;
      char c1 = 0, c2 = 0;
      std::istringstream in(split);
      if (!(in >> b >> c1 >> w >> c2 >> s) || c1 != ':' || c2 != ':' || !in.eof())
        return pot::Status::usage("--split '" + split + "': expected BUILDER:WRAPPER:STAKEHOLDERS");
      p.rewardSplit = {b, w, s};
    }
    POT_TRY(parseTarget(declTarget, "--declaration-target", p.declarationBaseTarget,
                        opt.deriveDeclarationTarget));
    POT_TRY(
        parseTarget(headerTarget, "--header-target", p.headerBaseTarget, opt.deriveHeaderTarget));
    opt.timestamp = timestamp ? *timestamp : static_cast<uint64_t>(std::time(nullptr));
    if (!dummy.empty()) {
      auto bytes = pot::readFile(dummy, 1ull << 26);
      if (!bytes) return bytes.status();
      opt.dummyRequest = *bytes;
    }
    auto genesis = pot::makeGenesis(opt);
    if (!genesis)
      return genesis.status().code() == pot::ExitCode::kInvalid
                 ? pot::Status::usage(genesis.status().message())
                 : genesis.status();
    POT_TRY(pot::writeOutput(out, *genesis, /*binary=*/true));
    if (out != "-") {
      const std::string id = pot::sha256(*genesis).hex();
      if (json)
        std::cout
            << pot::JsonWriter().beginObject().field("id", id).field("file", out).endObject().str()
            << "\n";
      else
        std::cout << id << "\n";
    }
    return pot::Status::ok();
  });
}
