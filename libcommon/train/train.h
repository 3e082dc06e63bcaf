// The stage function S_{i+1}, rho = f(S_i, B_{i+1}), S_0 and evaluation (DESIGN 4.1, 4.3).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "libcommon/consensus/input_transform.h"
#include "libcommon/core/hash.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/status.h"
#include "libcommon/train/dataset.h"
// Every caller that trains must first put the request's compute profile into
// effect, so the stage function's header brings its declaration along.
#include "libcommon/train/profile_setup.h"

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
// The same with the request's input transform (DESIGN 4.6): invalid (1) when
// the dataset's input type or channels do not fit it.
Result<Evaluation> evaluateStateWithTransform(const Message& state, const Bytes* module,
                                              const Dataset& data, const InputTransform& transform);

// Benchmark baselines (bench/train_stage): the same stage as a bare libtorch
// loop (torch::optim, mean loss, data already in one tensor, no secret, no
// state files), taking `stepSamples` samples per optimizer step (0: the
// request's b; 1: the PoC-style one step per sample) over the first
// `maxSamples` samples (0: all). Returns the seconds the training loop took.
Result<double> runBaselineStage(const Message& request, const Message& state, const Message& batch,
                                uint32_t stage, uint32_t stepSamples, uint64_t maxSamples);

}  // namespace pot
