// Compute profiles: the built-in table that makes float results bit-exact across nodes
// (DESIGN 4.4).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "libcommon/core/status.h"
#include "schemas/pot.capnp.h"

namespace pot {

struct ComputeProfileSpec {
  std::string name;      // "portable", "x86-64-v3", "portable-fast"
  uint32_t threads = 1;  // BLAS threads (fixed: they change GEMM bits) and default intra-op threads
  std::string atenCapability;  // ATEN_CPU_CAPABILITY
  std::string blas;            // "reference" or "openblas"
  std::string blasCoreType;    // OPENBLAS_CORETYPE, empty for reference BLAS
  std::string blasDir;         // put first on LD_LIBRARY_PATH so libblas.so.3 is this one
  bool needsAvx2Fma = false;   // CPU features the ATen and BLAS kernels use
  std::string probeDigest;     // SHA-256 (hex) of the known-answer probe's output bits
};

// The built-in table, in a stable order.
const std::vector<ComputeProfileSpec>& computeProfiles();

// Looks a profile up by name; an unknown name is invalid (exit 1) and the
// message lists the known ones.
Result<ComputeProfileSpec> findComputeProfile(const std::string& name);

// A request's profile must equal the built-in entry of its name field by field.
Result<ComputeProfileSpec> checkRequestProfile(schema::ComputeProfile::Reader profile);
void fillRequestProfile(const ComputeProfileSpec& spec, schema::ComputeProfile::Builder out);

// The environment a process needs before exec to run the profile: the loader
// picks libblas.so.3 and OpenBLAS reads its core type and thread count only
// when they load. `threads` is the intra-op count (OMP_NUM_THREADS).
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

// The default intra-op thread count of a stage: the cores this process may run
// on (its CPU affinity), at least 1. Stages give the same bits for every count.
uint32_t availableCores();

// The intra-op thread count a profile runs with: POT_STAGE_THREADS when set
// (1..256, else a usage error), else availableCores().
Result<uint32_t> stageThreads();

// Why this CPU cannot run the profile's kernels, or an empty string.
std::string cpuMissingFeatures(const ComputeProfileSpec& spec);

// Marks a process image re-executed with a profile's environment as
// "<profile>:<pid>" (exec keeps the pid), so a loop is caught and an
// inherited marker is not mistaken for one.
constexpr const char* kProfileMarkerEnv = "POT_COMPUTE_PROFILE_EXEC";

}  // namespace pot
