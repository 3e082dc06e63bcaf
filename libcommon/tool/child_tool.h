// Running a sibling pot tool as a child and taking its output: pot-report leaves evaluation to
// one `pot-evaluate --per-stage` process so that it loads no libtorch itself.
#pragma once

#include <string>
#include <vector>

#include "libcommon/core/status.h"

namespace pot {

// The path of tool `name` beside the running executable (/proc/self/exe), or
// `name` itself (looked up on PATH) when there is none there.
std::string siblingTool(const std::string& name);

struct ToolRun {
  int exitCode = 0;
  std::string out, err;
  // The child's failure as our status: its exit code, and the message of its
  // last "<tool>: error: " (or "invalid: ") line without the tool's name.
  Status failure() const;
};

// Runs argv[0] (found on PATH unless it has a slash) with argv, stdin closed,
// stdout and stderr captured. A child that cannot start or dies of a signal
// is an internal error (70); any exit code is the caller's to read.
Result<ToolRun> runTool(const std::vector<std::string>& argv);

}  // namespace pot
