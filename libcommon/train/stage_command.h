// pot-train-stage's run and check: a stage's inputs from files or an employer's repository,
// the profile enforced, the stage run, S_i and the loss trace written, the result reported.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot {

// What the command line asked for; paths may be "-" for standard input.
struct StageCommand {
  uint32_t stage = 0;         // 1-based: B_stage applied to S_{stage-1}
  std::string requestPath;    // default REPO/request
  std::string repo;           // folder written by pot-partition (objects/<sha256 hex>)
  std::string statePath;      // default for stage 1: the request's S_0 from REPO
  std::string batchPath;      // default: B_stage from REPO by the request's hash
  std::string modulePath;     // TorchScript module, default from REPO
  std::string outputPath;     // S_stage ("-": standard output, the report to `err`)
  std::string lossTracePath;  // a LossTrace message of the recomputed losses
  bool json = false;
  bool quiet = false;  // no progress, even on a terminal

  // The audit (check): compare with these claims and fail on a mismatch.
  bool check = false;
  std::optional<Hash256> expectRho, expectState;
  std::string headerPath;  // a BlockHeader whose rho and stateHash are claimed
  std::string tracePath;   // a claimed LossTrace, to name the first diverging sample

  // Set in a stage worker (pot-train-stage serve): the profile this process already put into
  // effect. A job of another profile is refused, and no path may be "-" (standard input and
  // output carry the worker's jobs and answers).
  std::string servedProfile;
};

// Usage errors (2) in the command alone, before anything is read.
Status checkStageCommand(const StageCommand& command);

// Runs the command: reads the request, enforces its compute profile (which
// may re-exec the process with argv), reads the claims, the state, the batch
// and the module, runs the stage, writes the outputs, and writes the report
// (stageRunReport or stageCheckReport) to `out`, or to `err` when S_stage
// goes to standard output. Progress goes to `err` when standard error is a
// terminal. A check's mismatch is invalid (1), after the report.
Status runStageCommand(const StageCommand& command, int argc, char** argv, std::ostream& out,
                       std::ostream& err);

}  // namespace pot
