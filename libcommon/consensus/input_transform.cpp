// The request's input transform and class names (DESIGN 4.6): the one place that reads and
// writes those fields.
#include "libcommon/consensus/input_transform.h"

#include <cmath>
#include <set>

#include "libcommon/consensus/architecture.h"

namespace pot {

Result<InputTransform> readInputTransform(schema::TrainingRequest::Body::Reader body) {
  InputTransform t;
  if (body.hasClassNames()) {
    auto names = body.getClassNames();
    // One byte form (DESIGN 3): no class names is a null list, never an empty one.
    if (names.size() == 0)
      return Status::malformed("the request's class names are an empty list (null is the form)");
    std::set<std::string> seen;
    for (auto n : names) {
      std::string name = n.cStr();
      if (name.empty()) return Status::malformed("the request names an empty class");
      if (!seen.insert(name).second)
        return Status::malformed("the request names class '" + name + "' twice");
      t.classNames.push_back(std::move(name));
    }
  }
  if (!body.hasInputTransform()) return t;
  auto it = body.getInputTransform();
  t.recorded = true;
  if (it.getInputType() == schema::DType::UINT8)
    t.isUint8 = true;
  else if (it.getInputType() == schema::DType::FLOAT32)
    t.isUint8 = false;
  else
    return Status::malformed("the request's input type is neither uint8 nor float32");
  if (it.hasMean() != it.hasStd())
    return Status::malformed("the request's input transform has a mean without a std or back");
  if (it.hasMean()) {
    auto mean = it.getMean();
    auto std = it.getStd();
    if (mean.size() == 0 || std.size() == 0)
      return Status::malformed("the request's mean or std is an empty list (null is the form)");
    if (mean.size() != std.size())
      return Status::malformed("the request's mean has " + std::to_string(mean.size()) +
                               " values and its std " + std::to_string(std.size()));
    for (size_t i = 0; i < mean.size(); ++i) {
      float m = mean[static_cast<unsigned>(i)], s = std[static_cast<unsigned>(i)];
      if (!std::isfinite(m)) return Status::malformed("the request's mean is not finite");
      if (!std::isfinite(s) || !(s > 0))
        return Status::malformed("the request's std is not a positive finite number");
      t.mean.push_back(m);
      t.std.push_back(s);
    }
  }
  return t;
}

void writeInputTransform(const InputTransform& t, schema::TrainingRequest::Body::Builder body) {
  if (!t.classNames.empty()) {
    auto names = body.initClassNames(static_cast<unsigned>(t.classNames.size()));
    for (size_t i = 0; i < t.classNames.size(); ++i)
      names.set(static_cast<unsigned>(i), t.classNames[i]);
  }
  if (t.isUint8 && !t.normalises()) return;
  auto it = body.initInputTransform();
  it.setInputType(t.isUint8 ? schema::DType::UINT8 : schema::DType::FLOAT32);
  if (!t.normalises()) return;
  auto mean = it.initMean(static_cast<unsigned>(t.mean.size()));
  auto std = it.initStd(static_cast<unsigned>(t.std.size()));
  for (size_t i = 0; i < t.mean.size(); ++i) {
    mean.set(static_cast<unsigned>(i), t.mean[i]);
    std.set(static_cast<unsigned>(i), t.std[i]);
  }
}

Status checkInputTransform(const InputTransform& t, const std::vector<int64_t>& sampleShape,
                           bool isUint8) {
  if (t.recorded && t.isUint8 != isUint8)
    return Status::invalid(std::string("the samples are ") + (isUint8 ? "uint8" : "float32") +
                           ", the request's input type is " + t.inputTypeName());
  if (!t.normalises()) return Status::ok();
  int64_t channels = sampleShape.empty() ? 0 : sampleShape[0];
  if (static_cast<int64_t>(t.mean.size()) != channels)
    return Status::invalid("the request's mean and std have " + std::to_string(t.mean.size()) +
                           " values, the samples have " + std::to_string(channels) +
                           " channels (their first dimension)");
  return Status::ok();
}

Result<InputTransform> readEvaluationTransform(const Message& request, const Message& state,
                                               bool datasetGiven) {
  POT_TRY(expectKind(request, schema::Envelope::TRAINING_REQUEST, "request"));
  POT_TRY(expectKind(state, schema::Envelope::MODEL_STATE, "state"));
  auto body = request.envelope().getTrainingRequest().getBody();
  auto arch = body.getArchitecture();
  std::string name;
  if (arch.isBuiltin()) {
    name = arch.getBuiltin().cStr();
  } else {
    auto h = arch.getTorchScript();
    if (h.size() != 32) return Status::malformed("the request's module hash is not 32 bytes");
    Hash256 hash;
    std::copy(h.begin(), h.end(), hash.bytes.begin());
    name = torchScriptArchitectureName(hash.hex());
  }
  std::string stateArch = state.envelope().getModelState().getArchitecture().cStr();
  if (stateArch != name)
    return Status::invalid("the state is of architecture '" + stateArch +
                           "', the request trains '" + name + "'");
  auto t = readInputTransform(body);
  if (!t) return t.status();
  if (!datasetGiven) {
    uint64_t elements = 1;
    std::string shape;
    for (auto d : arch.getInputShape()) {
      elements *= d;
      shape += (shape.empty() ? "" : "x") + std::to_string(d);
    }
    bool fashionLike = (!t->recorded || t->isUint8) && t->classNames.empty() && elements == 784;
    if (!fashionLike)
      return Status::usage("the model was trained on " + t->inputTypeName() + " samples of shape " +
                           shape + (t->classNames.empty() ? "" : " with text labels") +
                           ": give its test set (--csv, --npy, --npz or --images/--labels)");
  }
  return t;
}

std::string inputScaleText(bool isUint8) { return isUint8 ? "1/255" : "1"; }

}  // namespace pot
