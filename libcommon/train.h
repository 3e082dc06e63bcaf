// The stage function S_{i+1}, rho = f(S_i, B_{i+1}) and compute-profile enforcement (DESIGN 4).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/hash.h"
#include "libcommon/message_io.h"
#include "libcommon/status.h"

namespace pot {

struct StageOutcome {
  Hash256 rho;                 // the training secret, DESIGN 4.2
  Hash256 stateHash;           // H(S_{i+1}) = SHA-256 of the state file bytes
  Bytes nextState;             // the S_{i+1} file bytes (framed canonical Envelope{modelState})
  std::vector<float> losses;   // per-sample losses in order
};

// Runs stage `stage` (1-based: B_stage applied to S_{stage-1}) of the request, DESIGN 4.1.
// Checks H(batch file) == request.stageBatches[stage-1] and the state's architecture;
// errors are Status (malformed 3 / invalid 1 as fits), never exceptions.
// A TorchScript architecture needs its module file: use runStageWithModule
// (train_stage.h) or keep the module beside the request in a repository.
Result<StageOutcome> runStage(const Message& request, const Message& state,
                              const Message& batch, uint32_t stage);

// Call in main() of any tool that trains, after reading the request and before any
// torch op: sets/verifies threads, ATEN_CPU_CAPABILITY, oneDNN off, BLAS library and
// OPENBLAS_CORETYPE; may re-exec the process (argv) with the profile's environment.
// Refuses with a clear Status if the machine cannot honour the profile.
Status enforceComputeProfile(const std::string& profileName, int argc, char** argv);

}  // namespace pot
