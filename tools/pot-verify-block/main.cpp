// pot-verify-block: check a block against every rule of DESIGN 5.7 and name the first one it
// breaks.
#include <iostream>

#include "libcommon/consensus/validate.h"
#include "libcommon/core/fileio.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"
#ifdef POT_HAVE_REEXECUTE
#include "libcommon/train/reexecute.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "Verify a PoT block against the chain: every consensus rule, each failure named by a "
      "stable reason code.",
      "pot-verify-block"};
  pot::ChainArgs chain;
  std::string blockPath = "-", repo;
  bool json = false, reexecute = false, quiet = false;
  app.add_option("block", blockPath, "Block file ('-' for stdin)");
  chain.add(app, /*clock=*/false);
  app.add_option("--now", chain.now,
                 "Judge timestamps against this Unix time instead of the clock");
  app.add_flag("--json", json,
               "Print {\"valid\", \"code\", \"message\"} on stdout; for a valid block also id, "
               "trust, height, model, stage and whether it was re-executed");
  app.add_flag("--reexecute", reexecute,
               "Also re-run the stage from --repo and compare rho and H(S_i)");
  app.add_option("--repo", repo,
                 "The employer's repository folder (objects/<sha256>), for --reexecute");
  app.add_flag("-q,--quiet", quiet, "Print nothing on stdout; the exit status is the answer");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (reexecute && repo.empty()) return pot::Status::usage("--reexecute needs --repo DIR");
#ifndef POT_HAVE_REEXECUTE
    if (reexecute)
      return pot::Status::usage(
          "--reexecute: this build has no training library (POT_WITH_TORCH=OFF)");
#endif
    auto c = chain.load();
    if (!c) return c.status();
    auto bytes = pot::readFile(blockPath, pot::ReadLimits{}.maxBytes);
    if (!bytes) return bytes.status();
    pot::Bytes copy = reexecute ? *bytes : pot::Bytes{};
    pot::ValidationResult v = pot::validateBlockBytes(**c, std::move(*bytes), chain.currentTime());
#ifdef POT_HAVE_REEXECUTE
    if (v.valid() && reexecute) {
      auto m = pot::decodeMessage(std::move(copy));
      if (m) {
        pot::ValidationResult audit = pot::reexecuteStage(**c, **m, repo, argc, argv);
        if (!audit.valid()) {
          audit.blockId = v.blockId;
          v = audit;
        } else {
          v.reexecuted = true;
        }
      } else {
        v = pot::reject(pot::RejectReason::kReexecuteError,
                        "cannot re-read the block: " + m.status().message(), pot::Verdict::kError);
      }
    }
#endif
    if (json)
      std::cout << v.toJson() << "\n";
    else if (!quiet && v.valid())
      std::cout << "valid " << v.blockId.hex() << "\n";
    return v.toStatus();
  });
}
