// A training request's rules at registration (docs/protocol.md "Registering a request").
#include "libcommon/consensus/training_request.h"

#include <cmath>
#include <string>
#include <vector>

#include "libcommon/consensus/architecture.h"
#include "libcommon/consensus/compute_profile.h"
#include "libcommon/consensus/input_transform.h"

namespace pot {
namespace {

// The bounds a stage batch's per-sample shape must keep (stage_inputs.cpp
// refuses a batch beyond them, so a request asking more is untrainable).
constexpr uint64_t kMaxDimension = 1u << 24;
constexpr uint64_t kMaxSampleElements = 1ull << 31;

Rejection reject(RejectReason reason, std::string message) { return {reason, std::move(message)}; }

std::string shapeOf(const std::vector<uint32_t>& shape) {
  return shapeText(std::vector<int64_t>(shape.begin(), shape.end()));
}

Rejection checkOptimizer(schema::Optimizer::Reader opt) {
  std::vector<double> others;
  double lr = 0;
  if (opt.isSgd()) {
    auto s = opt.getSgd();
    lr = s.getLearningRate();
    others = {s.getMomentum(), s.getWeightDecay()};
  } else if (opt.isAdam()) {
    auto a = opt.getAdam();
    lr = a.getLearningRate();
    others = {a.getBeta1(), a.getBeta2(), a.getEps(), a.getWeightDecay()};
  } else {
    return reject(RejectReason::kBadRequestOptimizer, "the optimizer is neither SGD nor Adam");
  }
  if (!(lr > 0) || !std::isfinite(lr))
    return reject(RejectReason::kBadRequestOptimizer,
                  "the learning rate " + std::to_string(lr) + " is not a positive number");
  for (double v : others)
    if (!std::isfinite(v))
      return reject(RejectReason::kBadRequestOptimizer,
                    "an optimizer hyper-parameter is not a finite number");
  return {};
}

}  // namespace

Rejection checkTrainingRequest(schema::TrainingRequest::Body::Reader body, uint32_t minDeclarers,
                               uint32_t maxDeclarers) {
  using R = RejectReason;
  const uint32_t c = body.getDeclarers();
  if (c == 0 || c < minDeclarers || c > maxDeclarers)
    return reject(R::kBadRequest, "the request asks C=" + std::to_string(c) +
                                      " declarers, outside [" + std::to_string(minDeclarers) +
                                      ", " + std::to_string(maxDeclarers) + "]");
  if (body.getInitialState().size() != 32)
    return reject(R::kBadRequest, "the request's initialState is not a 32-byte hash");

  auto batches = body.getStageBatches();
  if (batches.size() == 0) return reject(R::kBadRequestStages, "the request has no stages");
  for (unsigned i = 0; i < batches.size(); ++i)
    if (batches[i].size() != 32)
      return reject(R::kBadRequestStages, "the request's stage batch " + std::to_string(i + 1) +
                                              " is not a 32-byte hash");

  // pot-train-stage refuses to run a profile that differs from the table.
  auto profile = checkRequestProfile(body.getProfile());
  if (!profile) return reject(R::kBadRequestProfile, profile.status().message());

  // With b = 1 a stage's per-sample losses are its minibatch losses, and the
  // secret could be computed without the samples (DESIGN 4.1, paper b >= 2).
  if (body.getMinibatchSize() < 2)
    return reject(R::kBadRequestMinibatch, "the request's minibatch size is " +
                                               std::to_string(body.getMinibatchSize()) +
                                               " (must be >= 2)");

  const auto loss = body.getLoss();
  if (loss != schema::Loss::CROSS_ENTROPY && loss != schema::Loss::MSE)
    return reject(R::kBadRequestLoss, "the request's loss " +
                                          std::to_string(static_cast<unsigned>(loss)) +
                                          " is neither cross-entropy nor MSE");
  if (auto bad = checkOptimizer(body.getOptimizer()); bad.reason != R::kNone) return bad;

  auto arch = body.getArchitecture();
  std::vector<uint32_t> inputShape;
  for (auto d : arch.getInputShape()) inputShape.push_back(d);
  const uint32_t classes = arch.getNumClasses();
  if (arch.isBuiltin()) {
    auto spec = parseBuiltinArchitecture(arch.getBuiltin());
    if (!spec) return reject(R::kBadRequestArchitecture, spec.status().message());
    if (classes != spec->numClasses)
      return reject(R::kBadRequestArchitecture, "the request says " + std::to_string(classes) +
                                                    " classes, architecture '" + spec->spec +
                                                    "' has " + std::to_string(spec->numClasses));
    // An MLP flattens its input, so any shape of as many elements fits it
    // (pot-partition keeps a dataset's [1, 28, 28] for mlp:784-...); a
    // convolution takes exactly its shape.
    bool empty = inputShape.empty();
    for (uint32_t d : inputShape) empty = empty || d == 0;
    const bool fits = !empty && (spec->kind == BuiltinArchitecture::Kind::kMlp
                                     ? shapeElements(inputShape) == shapeElements(spec->inputShape)
                                     : inputShape == spec->inputShape);
    if (!fits)
      return reject(R::kBadRequestInputShape, "the request's input shape " + shapeOf(inputShape) +
                                                  " does not fit architecture '" + spec->spec +
                                                  "', which takes " + shapeOf(spec->inputShape));
  } else {
    if (arch.getTorchScript().size() != 32)
      return reject(R::kBadRequestArchitecture, "the request's module hash is not 32 bytes");
    if (classes == 0)
      return reject(R::kBadRequestArchitecture, "the request's module has 0 classes");
    uint64_t elements = 1;
    bool fits = !inputShape.empty();
    for (uint32_t d : inputShape) {
      fits = fits && d >= 1 && d <= kMaxDimension;
      if (fits) elements *= d;
      fits = fits && elements <= kMaxSampleElements;
    }
    if (!fits)
      return reject(R::kBadRequestInputShape, "the request's input shape " + shapeOf(inputShape) +
                                                  " is empty or out of range (each dimension 1.." +
                                                  std::to_string(kMaxDimension) + ", at most " +
                                                  std::to_string(kMaxSampleElements) +
                                                  " values per sample)");
  }

  auto transform = readInputTransform(body);
  if (!transform) return reject(R::kBadRequestInputTransform, transform.status().message());
  // Against the request's own input type: a batch of another type is refused
  // by the stage, and an honest partition never makes one.
  Status fits = checkInputTransform(
      *transform, std::vector<int64_t>(inputShape.begin(), inputShape.end()), transform->isUint8);
  if (!fits.isOk()) return reject(R::kBadRequestInputTransform, fits.message());
  if (transform->classNames.size() > classes)
    return reject(R::kBadRequestInputTransform,
                  "the request names " + std::to_string(transform->classNames.size()) +
                      " classes, its architecture has " + std::to_string(classes));
  return {};
}

}  // namespace pot
