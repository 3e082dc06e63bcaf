// The stage function S_{i+1}, rho = f(S_i, B_{i+1}) and compute-profile enforcement (DESIGN 4).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/status.h"
#include "libcommon/train/dataset.h"

namespace pot {

struct StageOutcome {
  Hash256 rho;                // the training secret, DESIGN 4.2
  Hash256 stateHash;          // H(S_{i+1}) = SHA-256 of the state file bytes
  Bytes nextState;            // the S_{i+1} file bytes (framed canonical Envelope{modelState})
  std::vector<float> losses;  // per-sample losses in order
};

// Runs stage `stage` (1-based: B_stage applied to S_{stage-1}) of the request, DESIGN 4.1.
// Checks H(batch file) == request.stageBatches[stage-1] and the state's architecture;
// errors are Status (malformed 3 / invalid 1 as fits), never exceptions.
// A request whose architecture is a TorchScript module needs the module file:
// this form refuses it; use runStageWithModule.
Result<StageOutcome> runStage(const Message& request, const Message& state, const Message& batch,
                              uint32_t stage);

// The same, with the TorchScript module file (its SHA-256 must equal the
// request's architecture.torchScript); `module` may be null for built-ins.
Result<StageOutcome> runStageWithModule(const Message& request, const Message& state,
                                        const Message& batch, uint32_t stage, const Bytes* module);

// The same, calling `progress(samplesDone, samplesTotal)` about every 1% of
// the stage (for a terminal; it must not throw).
using StageProgress = std::function<void(uint64_t, uint64_t)>;
Result<StageOutcome> runStageWithProgress(const Message& request, const Message& state,
                                          const Message& batch, uint32_t stage, const Bytes* module,
                                          const StageProgress& progress);

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
// measuring a profile's probe digest (`pot-train-stage --probe`).
Status prepareComputeProfile(const std::string& profileName, int argc, char** argv);

// The training secret over per-sample losses (DESIGN 4.2):
// h_1 = H(le32(l_1)), h_j = H(le32(l_j) || h_{j-1}).
Hash256 trainingSecret(const std::vector<float>& losses);

// Index of the first sample whose loss bits differ, or nullopt if the traces
// agree (a shorter trace diverges where it ends).
std::optional<size_t> firstDivergingSample(const std::vector<float>& a,
                                           const std::vector<float>& b);

// The per-stage randomness seed H(le64(seed) || le32(stage)) (DESIGN 4.1),
// as the first 8 bytes little-endian.
uint64_t stageSeed(uint64_t seed, uint32_t stage);

// S_0 for a built-in architecture spec, or a TorchScript module (whose own
// stored parameters become S_0). Built-in weights are uniform in
// [-1/sqrt(fanIn), 1/sqrt(fanIn)] from SHA-256 of the seed, so S_0 does not
// depend on any framework's random generator. Optimizer buffers are zeros.
struct InitialStateSpec {
  std::string architecture;  // built-in spec, or "torchscript:<hex>"
  const Bytes* module = nullptr;
  std::string optimizer;  // "sgd" (momentum buffers iff momentum != 0) or "adam"
  bool momentumBuffers = false;
  uint64_t seed = 0;
};
Result<Bytes> makeInitialState(const InitialStateSpec& spec);

// Multiply-adds of one forward pass of a TorchScript module, estimated as its
// parameter count (exact for linear layers; convolutions are undercounted).
Result<uint64_t> torchScriptForwardMacs(const Bytes& module);

// The employer's view of a state: accuracy and mean loss on a labelled set.
struct Evaluation {
  uint64_t samples = 0;
  uint64_t correct = 0;
  double accuracy = 0;
  double meanLoss = 0;  // cross-entropy
};
Result<Evaluation> evaluateState(const Message& state, const Bytes* module, const Dataset& data);

// Runs the known-answer GEMM and vector-math probe in this process and
// returns the SHA-256 (hex) of its output bits (DESIGN 4.4).
std::string computeProbeDigest();

// Known-answer stages (`pot-train-stage --selfcheck`): each case's rho and
// state hash as computed here.
struct SelfcheckCase {
  std::string name;
  Hash256 rho;
  Hash256 stateHash;
};
Result<std::vector<SelfcheckCase>> runSelfcheckCases();

// Benchmark baselines (bench/train_stage): the same stage as a bare libtorch
// loop (torch::optim, mean loss, data already in one tensor, no secret, no
// state files), taking `stepSamples` samples per optimizer step (0: the
// request's b; 1: the PoC-style one step per sample) over the first
// `maxSamples` samples (0: all). Returns the seconds the training loop took.
Result<double> runBaselineStage(const Message& request, const Message& state, const Message& batch,
                                uint32_t stage, uint32_t stepSamples, uint64_t maxSamples);

}  // namespace pot
