// Every stage's state of a model evaluated in one process, each state from the repository
// checked against the hash the chain recorded (pot-evaluate --per-stage, pot-report). No torch
// types here; the evaluation itself is train.h's.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/input_transform.h"
#include "libcommon/consensus/model_stages.h"
#include "libcommon/train/audit.h"
#include "libcommon/train/dataset.h"
#include "libcommon/train/train.h"

namespace pot {

// The test set and the transform a model's states are evaluated with.
struct EvaluationSet {
  Dataset data;
  InputTransform transform;
  Bytes module;  // the TorchScript module file; empty for a built-in architecture
  bool hasModule = false;
};

// The request's transform and class names over `source` (Fashion-MNIST t10k
// when no source is given, which only a model trained on uint8 28x28 samples
// with numeric labels accepts: usage (2) otherwise), the first `limit`
// samples (0: all), and the request's TorchScript module from `objects`
// (checked against its hash) when the architecture is one. `initialState`
// is S_0, whose architecture must be the request's.
Result<EvaluationSet> loadEvaluationSet(const Message& request, const Message& initialState,
                                        const DatasetSource& source, uint64_t limit,
                                        const ObjectSource& objects);

// One row of the curve: stage 0 is S_0 (the request's initial state, at the
// model's registration), then each stage the chain recorded.
struct StageEvaluation {
  uint32_t stage = 0;
  uint64_t height = 0;
  Hash256 stateHash;
  std::optional<Evaluation> evaluation;
  std::string missing;  // why there is no evaluation (the object is missing or does not check)
};

// S_0 and each of `stages` fetched from `objects`, checked against its
// recorded hash and evaluated on `set`, in order, in this process (libtorch
// starts once). A state that cannot be fetched or does not match its hash is
// a row with `missing` set; the others are still evaluated. `progress(done,
// total)` is called after each (may be empty). Errors only for what makes
// every row meaningless (an evaluation that fails on a state that checked).
Result<std::vector<StageEvaluation>> evaluateStages(
    const Message& request, uint64_t registrationHeight, const std::vector<RecordedStage>& stages,
    const ObjectSource& objects, const EvaluationSet& set,
    const std::function<void(size_t, size_t)>& progress = {});

// Stages whose evaluation is missing, as one line for stderr ("2 of 5 stage
// states could not be evaluated: S_3 ...: ..."); empty when none.
std::string missingEvaluations(const std::vector<StageEvaluation>& rows);

}  // namespace pot
