// The checks a stage's inputs pass before any training: request, state and batch agree with
// each other and with the architecture (DESIGN 4.1, 4.3). No libtorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/consensus/input_transform.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/status.h"

namespace pot {

// The request's optimizer hyper-parameters, read once: a stage runs
// thousands of steps.
struct OptimizerSettings {
  bool adam = false;
  double learningRate = 0;
  double momentum = 0;  // SGD
  double weightDecay = 0;
  bool nesterov = false;                 // SGD
  double beta1 = 0, beta2 = 0, eps = 0;  // Adam
};

// What the request fixes for a stage, once its checks passed.
struct StagePlan {
  std::string architecture;      // built-in spec, or "torchscript:<hex>"
  std::string optimizer;         // "sgd" or "adam", as the state file names it
  bool momentumBuffers = false;  // SGD with momentum != 0 keeps one buffer per parameter
  OptimizerSettings settings;
  uint32_t minibatch = 0;
  uint64_t seed = 0;
  schema::Loss loss = schema::Loss::CROSS_ENTROPY;
};

// The batch's samples, once their checks passed. `inputs` views the batch
// message, which must outlive it: the data is read from the message once per
// stage because every Cap'n Proto read counts against the traversal limit.
struct StageSamples {
  std::vector<int64_t> sampleShape;
  schema::DType inputType = schema::DType::UINT8;
  capnp::Data::Reader inputs;
  uint64_t count = 0;
  std::vector<int64_t> labels;
  uint32_t classes = 0;
  InputTransform transform;  // the request's, checked against these samples
};

// The checks run in this order, so that the first message names the most
// precise fault; the stage function loads the model and the state between
// them.
//
// 1. Message kinds, the stage in range, the batch file is the request's
//    B_stage (by hash, DESIGN 5.8 for stages past the last batch), b >= 2.
Result<StagePlan> checkStageRequest(const Message& request, const Message& state,
                                    const Message& batch, uint32_t stage);
// 2. After the model is known: the state file is S_{stage-1}.
Status checkStageState(const Message& state, uint32_t stage);
// 3. After the state loaded into the model: for stage 1, the state file is
//    the request's S_0 (a later S_i is checked by the caller against the chain).
Status checkInitialState(const Message& request, const Message& state, uint32_t stage);
// 4. The batch is of this stage, its samples have the architecture's input
//    shape, its sizes add up, its sample count is a multiple of b, every
//    label names a class and the request's input transform fits the samples.
Result<StageSamples> checkStageBatch(const Message& request, const Message& batch, uint32_t stage);

}  // namespace pot
