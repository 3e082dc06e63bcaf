// The checks a stage's inputs pass before any training (DESIGN 4.1, 4.3).
#include "libcommon/train/stage_inputs.h"

#include <cstring>

#include "libcommon/consensus/architecture.h"
#include "libcommon/consensus/ledger.h"

namespace pot {
namespace {

using schema::Envelope;

std::string architectureName(schema::Architecture::Reader a) {
  if (a.isBuiltin()) return a.getBuiltin();
  auto h = a.getTorchScript();
  return torchScriptArchitectureName(toHex(h.begin(), h.size()));
}

OptimizerSettings readOptimizer(schema::Optimizer::Reader opt) {
  OptimizerSettings s;
  s.adam = opt.isAdam();
  if (s.adam) {
    auto a = opt.getAdam();
    s.learningRate = a.getLearningRate();
    s.weightDecay = a.getWeightDecay();
    s.beta1 = a.getBeta1();
    s.beta2 = a.getBeta2();
    s.eps = a.getEps();
  } else {
    auto sg = opt.getSgd();
    s.learningRate = sg.getLearningRate();
    s.momentum = sg.getMomentum();
    s.weightDecay = sg.getWeightDecay();
    s.nesterov = sg.getNesterov();
  }
  return s;
}

}  // namespace

Result<StagePlan> checkStageRequest(const Message& request, const Message& state,
                                    const Message& batch, uint32_t stage) {
  POT_TRY(expectKind(request, Envelope::TRAINING_REQUEST, "request"));
  POT_TRY(expectKind(state, Envelope::MODEL_STATE, "state"));
  POT_TRY(expectKind(batch, Envelope::STAGE_BATCH, "batch"));
  auto req = request.envelope().getTrainingRequest().getBody();
  auto batches = req.getStageBatches();
  if (stage < 1 || batches.size() == 0)
    return Status::invalid("stage " + std::to_string(stage) + " is out of range: the request has " +
                           std::to_string(batches.size()) + " stages");
  auto want = batches[stageBatchIndex(stage, batches.size())];
  Hash256 got = batch.fileHash();
  if (want.size() != 32 || std::memcmp(want.begin(), got.data(), 32) != 0)
    return Status::invalid("the batch file's hash " + got.hex() + " is not B_" +
                           std::to_string(stageBatchIndex(stage, batches.size()) + 1) +
                           " of the request (" + toHex(want.begin(), want.size()) + ")");
  StagePlan plan;
  plan.minibatch = req.getMinibatchSize();
  if (plan.minibatch < 2)
    return Status::invalid("the request's minibatch size is " + std::to_string(plan.minibatch) +
                           " (must be >= 2)");
  plan.architecture = architectureName(req.getArchitecture());
  auto opt = req.getOptimizer();
  plan.optimizer = opt.isAdam() ? "adam" : "sgd";
  plan.momentumBuffers = opt.isSgd() && opt.getSgd().getMomentum() != 0;
  plan.settings = readOptimizer(opt);
  plan.seed = req.getSeed();
  plan.loss = req.getLoss();
  return plan;
}

Status checkStageState(const Message& state, uint32_t stage) {
  auto ms = state.envelope().getModelState();
  if (ms.getStage() != stage - 1)
    return Status::invalid("the state file is S_" + std::to_string(ms.getStage()) + ", stage " +
                           std::to_string(stage) + " needs S_" + std::to_string(stage - 1));
  return Status::ok();
}

Status checkInitialState(const Message& request, const Message& state, uint32_t stage) {
  if (stage != 1) return Status::ok();
  auto s0 = request.envelope().getTrainingRequest().getBody().getInitialState();
  Hash256 got = state.fileHash();
  if (s0.size() != 32 || std::memcmp(s0.begin(), got.data(), 32) != 0)
    return Status::invalid("the state file's hash " + got.hex() + " is not the request's S_0 (" +
                           toHex(s0.begin(), s0.size()) + ")");
  return Status::ok();
}

Result<StageSamples> checkStageBatch(const Message& request, const Message& batch, uint32_t stage) {
  auto req = request.envelope().getTrainingRequest().getBody();
  auto arch = req.getArchitecture();
  auto sb = batch.envelope().getStageBatch();
  // Beyond t the dummy's batches cycle (DESIGN 5.8): stage i trains on the
  // batch made for stage ((i - 1) mod t) + 1.
  if (stage < 1 || req.getStageBatches().size() == 0)
    return Status::invalid("stage " + std::to_string(stage) + " is out of range");
  const uint32_t batchStage = stageBatchIndex(stage, req.getStageBatches().size()) + 1;
  if (sb.getStage() != batchStage)
    return Status::invalid("the batch is for stage " + std::to_string(sb.getStage()) +
                           ", not stage " + std::to_string(batchStage));
  StageSamples s;
  for (auto d : sb.getSampleShape()) s.sampleShape.push_back(d);
  std::vector<int64_t> archShape;
  for (auto d : arch.getInputShape()) archShape.push_back(d);
  if (s.sampleShape != archShape)
    return Status::invalid("the batch's samples have shape " + shapeText(s.sampleShape) +
                           ", the architecture takes " + shapeText(archShape));
  uint64_t per = 1;
  for (auto d : s.sampleShape) {
    // Bounded before multiplying so a crafted shape cannot wrap the size check.
    if (d == 0 || d > (1 << 24))
      return Status::malformed("the batch's sample shape is out of range");
    per *= static_cast<uint64_t>(d);
    if (per > (1ull << 31)) return Status::malformed("the batch's samples are too large");
  }
  auto labels = sb.getLabels();
  s.inputType = sb.getInputType();
  s.inputs = sb.getInputs();
  s.count = labels.size();
  uint64_t elem = s.inputType == schema::DType::UINT8     ? 1
                  : s.inputType == schema::DType::FLOAT32 ? 4
                                                          : 0;
  if (elem == 0) return Status::malformed("the batch's input type is neither uint8 nor float32");
  if (s.count == 0 || s.inputs.size() != s.count * per * elem)
    return Status::malformed("the batch holds " + std::to_string(s.inputs.size()) +
                             " input bytes for " + std::to_string(s.count) + " samples");
  uint32_t b = req.getMinibatchSize();
  if (b < 2)
    return Status::invalid("the request's minibatch size is " + std::to_string(b) +
                           " (must be >= 2)");
  if (s.count % b != 0)
    return Status::invalid("the batch's " + std::to_string(s.count) +
                           " samples are not a multiple of the minibatch size " +
                           std::to_string(b));
  s.classes = arch.getNumClasses();
  s.labels.reserve(s.count);
  for (auto l : labels) {
    if (l >= s.classes)
      return Status::invalid("label " + std::to_string(l) + " is out of range for " +
                             std::to_string(s.classes) + " classes");
    s.labels.push_back(l);
  }
  auto transform = readInputTransform(req);
  if (!transform) return transform.status();
  POT_TRY(checkInputTransform(*transform, s.sampleShape, s.inputType == schema::DType::UINT8));
  s.transform = std::move(*transform);
  return s;
}

}  // namespace pot
