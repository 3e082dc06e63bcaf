// Compute profiles put into effect: the environment a process needs for a profile of the
// built-in table (consensus/compute_profile.h) (DESIGN 4.4).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "libcommon/consensus/compute_profile.h"
#include "libcommon/core/status.h"

namespace pot {

// The environment a process needs before exec to run the profile: the loader
// picks libblas.so.3 and OpenBLAS reads its core type and thread count only
// when they load. `threads` is the stage's thread count (also OMP_NUM_THREADS).
std::vector<std::pair<std::string, std::string>> profileEnvironment(
    const ComputeProfileSpec& spec, uint32_t threads, const std::string& oldLdLibraryPath);

// The same environment as shell lines ("export NAME='value'", or "unset NAME"
// for an empty value), with no old LD_LIBRARY_PATH: what `pot-train-stage
// print-env` prints for `eval`, so a script saves the re-exec.
std::string profileShellExports(const ComputeProfileSpec& spec, uint32_t threads);

// A profile re-exec replaces the process image, and a pipe on standard input
// cannot be read twice: call this before reading "-" in a tool that may
// re-exec. It copies a non-seekable stdin into a memory file on fd 0 (the
// re-exec rewinds it), and does nothing when stdin is already seekable.
Status keepStdinAcrossReexec();

// The intra-op thread count a profile runs with: POT_STAGE_THREADS when set
// (1..256, else a usage error), else the cores this process may run on
// (core/parallel.h usableCores()). Stages give the same bits for every count.
Result<uint32_t> stageThreads();

// Why this CPU cannot run the profile's kernels, or an empty string.
std::string cpuMissingFeatures(const ComputeProfileSpec& spec);

// Marks a process image re-executed with a profile's environment as
// "<profile>:<pid>" (exec keeps the pid), so a loop is caught and an
// inherited marker is not mistaken for one.
constexpr const char* kProfileMarkerEnv = "POT_COMPUTE_PROFILE_EXEC";

}  // namespace pot
