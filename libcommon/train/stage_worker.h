// A stage worker: one process that loads libtorch and puts a compute profile into effect once,
// then runs stage jobs read one a line, so a node or an audit that runs many stages pays the
// fixed costs once (docs/protocol.md "Training"; man pot-train-stage, serve).
#pragma once

#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "libcommon/core/status.h"

namespace pot {

// The words of one job line: split at tab characters when the line holds one (so paths may
// hold spaces), else at runs of spaces. An empty or blank line has no words.
std::vector<std::string> splitJobLine(const std::string& line);

// Runs `runJob` on the words of each non-blank line of `in` until end of input, and answers
// each on `out`: what the job wrote to its report stream (the one-shot command's standard
// output), then "error MESSAGE" if it failed, then "exit CODE" (the one-shot's exit code),
// flushed. A job that throws is answered "exit 70" and the worker lives on.
void serveJobs(std::istream& in, std::ostream& out,
               const std::function<Status(const std::vector<std::string>&, std::ostream&)>& runJob);

}  // namespace pot
