// pot-train-stage: run one stage S_{i+1}, rho = f(S_i, B_{i+1}); check (audit) one; selfcheck
// and probe this machine under a compute profile; print a profile's environment.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <tuple>

#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/profile.h"
#include "libcommon/train/profile_setup.h"
#include "libcommon/train/stage_command.h"
#include "libcommon/train/stage_worker.h"
#include "libcommon/train/train_selfcheck.h"

namespace {

const char* kDefaultProfile = "x86-64-v3";

// The options of a stage run, shared by `run`, `check` and the old form.
void addStageOptions(CLI::App* a, pot::StageCommand& c, uint32_t& threads) {
  a->add_option("-r,--request", c.requestPath,
                "The signed TrainingRequest file (default: REPO/request)");
  a->add_option("--repo", c.repo, "Repository folder written by pot-partition");
  a->add_option("-s,--stage", c.stage, "Stage to run, 1-based: B_stage applied to S_{stage-1}");
  a->add_option("--state", c.statePath, "S_{stage-1} (default for stage 1: S_0 from REPO)");
  a->add_option("--batch", c.batchPath, "B_stage (default: from REPO by the request's hash)");
  a->add_option("--module", c.modulePath, "TorchScript module file (default: from REPO)");
  a->add_option("-o,--output", c.outputPath, "Write S_stage here ('-' for stdout)");
  a->add_option("--loss-trace", c.lossTracePath,
                "Write the per-sample losses (a LossTrace message)");
  a->add_option("--threads", threads,
                "Threads for the stage (default: the cores available; the bits do not change)")
      ->check(CLI::Range(1u, 256u));
  a->add_flag("--json", c.json, "JSON output");
  a->add_flag("-q,--quiet", c.quiet, "No progress on stderr");
}

// The claims a check compares with.
void addClaimOptions(CLI::App* a, std::string& expectRho, std::string& expectState,
                     pot::StageCommand& c) {
  a->add_option("--expect-rho", expectRho, "The claimed rho (hex, or a file holding it)");
  a->add_option("--expect-state", expectState,
                "The claimed H(S_stage) (hex, or a file holding it)");
  a->add_option("--header", c.headerPath, "A BlockHeader whose rho and stateHash are claimed");
  a->add_option("--trace", c.tracePath,
                "The claimed LossTrace, to name the first diverging sample");
}

// One job of a stage worker: the words of `run ...`, `check ...` or the old form's options,
// parsed as the one-shot command parses them, run under the worker's profile and threads.
pot::Status runWorkerJob(std::vector<std::string> words, const std::string& profile,
                         uint32_t workerThreads, std::ostream& report) {
  CLI::App app{"A stage job", "pot-train-stage"};
  app.require_subcommand(0, 1);
  pot::StageCommand command;
  std::string expectRho, expectState;
  uint32_t threads = 0;
  auto* run = app.add_subcommand("run", "Train a stage");
  addStageOptions(run, command, threads);
  auto* check = app.add_subcommand("check", "Audit a stage");
  addStageOptions(check, command, threads);
  addClaimOptions(check, expectRho, expectState, command);
  addStageOptions(&app, command, threads);
  bool oldCheck = false;
  app.add_flag("--check", oldCheck, "Same as check");
  addClaimOptions(&app, expectRho, expectState, command);
  std::vector<std::string> args = words;
  std::reverse(args.begin(), args.end());  // CLI11 takes a vector last word first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (auto unknown = pot::unknownOptionMessage(app, words)) return pot::Status::usage(*unknown);
    return pot::Status::usage(e.what());
  }
  if (threads != 0 && threads != workerThreads)
    return pot::Status::usage("this stage worker runs " + std::to_string(workerThreads) +
                              " threads; --threads " + std::to_string(threads) +
                              " needs another worker");
  command.check = check->parsed() || oldCheck;
  for (auto [text, what, out] :
       {std::tuple{&expectRho, "--expect-rho", &command.expectRho},
        std::tuple{&expectState, "--expect-state", &command.expectState}}) {
    if (text->empty()) continue;
    auto h = pot::parseHashArg(*text, what);
    if (!h) return h.status();
    *out = *h;
  }
  command.quiet = true;
  command.servedProfile = profile;
  std::ostringstream progress;
  return pot::runStageCommand(command, 0, nullptr, report, progress);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Train one stage of a training request (DESIGN 4.1), audit one, or check that this "
      "machine reproduces a compute profile's bits. Without a subcommand: run (the old "
      "flags --check, --selfcheck, --probe and --print-env select the other modes).",
      "pot-train-stage"};
  app.require_subcommand(0, 1);
  pot::StageCommand command;
  std::string expectRho, expectState, profile, vectors, printEnvProfile;
  uint32_t threads = 0;
  bool json = false;

  auto* run = app.add_subcommand("run", "Train a stage: S_stage, rho = f(S_{stage-1}, B_stage)");
  addStageOptions(run, command, threads);

  auto* check = app.add_subcommand(
      "check", "Audit: re-run a stage and compare with the claims; exit 1 on a mismatch");
  addStageOptions(check, command, threads);
  addClaimOptions(check, expectRho, expectState, command);

  auto* selfcheck = app.add_subcommand(
      "selfcheck", "Run the known-answer stages under a profile and compare with the vectors");
  selfcheck->add_option("--profile", profile, "The compute profile (default x86-64-v3)");
  selfcheck->add_option("--vectors", vectors,
                        "Known-answer vectors file (default: the installed copy, then the "
                        "source tree's; see the man page)");
  selfcheck->add_option("--threads", threads, "Threads (default: the cores available)")
      ->check(CLI::Range(1u, 256u));
  std::vector<std::string> cases;
  selfcheck->add_option("--case", cases,
                        "Run only this known-answer case (repeatable; default: all)");
  selfcheck->add_flag("--json", json, "JSON output");

  auto* probe = app.add_subcommand(
      "probe", "Print the known-answer probe digest of a profile as computed here");
  probe->add_option("--profile", profile, "The compute profile (default x86-64-v3)");
  probe->add_option("--threads", threads, "Threads (default: the cores available)")
      ->check(CLI::Range(1u, 256u));

  auto* serve = app.add_subcommand(
      "serve",
      "A stage worker: put a profile into effect once, then run one stage job a line from "
      "standard input, answering each on standard output");
  serve->add_option("--profile", profile, "The compute profile of the jobs (default x86-64-v3)");
  serve->add_option("--threads", threads, "Threads (default: the cores available)")
      ->check(CLI::Range(1u, 256u));

  auto* printEnv = app.add_subcommand(
      "print-env", "Print a profile's environment as shell exports (saves the re-exec)");
  printEnv->add_option("profile", printEnvProfile, "The compute profile")->required();
  printEnv->add_option("--threads", threads, "Threads (default: the cores available)")
      ->check(CLI::Range(1u, 256u));

  // The old form, kept for scripts: the options of run, and flags for the
  // other modes.
  addStageOptions(&app, command, threads);
  bool oldCheck = false, oldSelfcheck = false, oldProbe = false;
  const char* old = "Old form (same as the subcommands)";
  app.add_flag("--check", oldCheck, "Same as check")->group(old);
  addClaimOptions(&app, expectRho, expectState, command);
  for (const char* name : {"--expect-rho", "--expect-state", "--header", "--trace"})
    app.get_option(name)->group(old);
  app.add_flag("--selfcheck", oldSelfcheck, "Same as selfcheck")->group(old);
  app.add_flag("--probe", oldProbe, "Same as probe")->group(old);
  app.add_option("--profile", profile, "With --selfcheck or --probe: the compute profile")
      ->group(old);
  app.add_option("--vectors", vectors, "With --selfcheck: the known-answer vectors file")
      ->group(old);
  app.add_option("--print-env", printEnvProfile, "Same as print-env PROFILE")->group(old);

  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    bool oldMode = oldCheck || oldSelfcheck || oldProbe || !printEnvProfile.empty();
    bool subcommand = !app.get_subcommands().empty();
    if (subcommand && oldMode && !printEnv->parsed())
      return pot::Status::usage("give a subcommand or --check/--selfcheck/--probe/--print-env");
    if (threads > 0) ::setenv("POT_STAGE_THREADS", std::to_string(threads).c_str(), 1);

    if (printEnv->parsed() || !printEnvProfile.empty()) {
      auto spec = pot::findComputeProfile(printEnvProfile);
      if (!spec) return spec.status();
      auto count = pot::stageThreads();
      if (!count) return count.status();
      std::cout << pot::profileShellExports(*spec, *count);
      return pot::Status::ok();
    }
    if (serve->parsed()) {
      std::string p = profile.empty() ? kDefaultProfile : profile;
      // Once, before any job: may re-execute this process with the profile's environment
      // (nothing of standard input has been read yet).
      POT_TRY(pot::enforceComputeProfile(p, argc, argv));
      auto count = pot::stageThreads();
      if (!count) return count.status();
      const uint32_t workerThreads = *count;
      pot::serveJobs(std::cin, std::cout,
                     [&](const std::vector<std::string>& words, std::ostream& report) {
                       return runWorkerJob(words, p, workerThreads, report);
                     });
      return pot::Status::ok();
    }
    if (selfcheck->parsed() || probe->parsed() || oldSelfcheck || oldProbe) {
      if (oldSelfcheck && oldProbe)
        return pot::Status::usage("--selfcheck and --probe are exclusive");
      std::string p = profile.empty() ? kDefaultProfile : profile;
      if (probe->parsed() || oldProbe) {
        // The probe reports what this process computes, so it must not refuse
        // on a digest mismatch.
        POT_TRY(pot::prepareComputeProfile(p, argc, argv));
        std::cout << pot::computeProbeDigest() << "\n";
        return pot::Status::ok();
      }
      POT_TRY(pot::enforceComputeProfile(p, argc, argv));
      return pot::runSelfcheck(p, vectors, json || command.json, std::cout, cases);
    }
    if (!profile.empty())
      return pot::Status::usage(
          "--profile is for --selfcheck; a stage runs under its request's profile");
    command.check = check->parsed() || oldCheck;
    // A claim that is given counts for the usage checks even when it does
    // not parse: the usage error comes first, as it always has.
    pot::Status badClaim;
    for (auto [text, what, out] :
         {std::tuple{&expectRho, "--expect-rho", &command.expectRho},
          std::tuple{&expectState, "--expect-state", &command.expectState}}) {
      if (text->empty()) continue;
      auto h = pot::parseHashArg(*text, what);
      *out = h ? *h : pot::Hash256{};
      if (!h && badClaim.isOk()) badClaim = h.status();
    }
    POT_TRY(pot::checkStageCommand(command));
    POT_TRY(badClaim);
    return pot::runStageCommand(command, argc, argv, std::cout, std::cerr);
  });
}
