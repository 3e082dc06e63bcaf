// Putting a compute profile into effect in this process: environment, re-exec, threads,
// oneDNN off, and the known-answer probe that verifies it (DESIGN 4.4).
#pragma once

#include <string>

#include "libcommon/core/status.h"

namespace pot {

// Call in main() of any tool that trains, after reading the request and before any
// torch op: sets/verifies threads, ATEN_CPU_CAPABILITY, oneDNN off, BLAS library and
// OPENBLAS_CORETYPE; may re-exec the process (argv) with the profile's environment.
// Refuses with a clear Status if the machine cannot honour the profile.
// A tool that reads an input from "-" must call keepStdinAcrossReexec()
// (profile.h) before reading it, or the re-executed process finds stdin empty.
// Unknown profile: invalid (1); machine cannot honour it: I/O/environment (4).
// The environment variable POT_STAGE_THREADS, when set, replaces the profile's
// intra-op thread count (stages are invariant to it, tested with 1 and 2); the
// OpenBLAS thread count stays the profile's because it changes GEMM bits.
Status enforceComputeProfile(const std::string& profileName, int argc, char** argv);

// The same environment and settings without the known-answer check: for
// measuring a profile's probe digest (`pot-train-stage probe`).
Status prepareComputeProfile(const std::string& profileName, int argc, char** argv);

// Runs the known-answer GEMM and vector-math probe in this process and
// returns the SHA-256 (hex) of its output bits (DESIGN 4.4).
std::string computeProbeDigest();

}  // namespace pot
