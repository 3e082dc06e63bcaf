// The input transform and class names a training request records (DESIGN 4.6): read, checked
// and written without libtorch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/core/message_io.h"
#include "libcommon/core/status.h"

namespace pot {

// How a raw sample becomes model input: uint8 divided by 255 or float32 as
// is, then (x - mean[c]) / std[c] per channel c (the sample's first
// dimension) when mean is not empty (docs/protocol.md "Input transform").
struct InputTransform {
  // False for a request without the field (made before it, or with nothing
  // more to say): the input type is then the batches' own, as it always was.
  bool recorded = false;
  bool isUint8 = true;
  std::vector<float> mean, std;         // both empty, or one value per channel
  std::vector<std::string> classNames;  // text labels in id order; empty for numeric labels

  bool normalises() const { return !mean.empty(); }
  // "uint8" or "float32".
  std::string inputTypeName() const { return isUint8 ? "uint8" : "float32"; }
};

// The request body's transform and class names. Malformed (3) for a field
// that breaks the one-byte-form rule (an empty list where null is the form),
// a type other than uint8/float32, mean and std of different lengths, or a
// std that is not a positive finite number.
Result<InputTransform> readInputTransform(schema::TrainingRequest::Body::Reader body);

// Sets the body's fields; leaves them null when the transform says nothing a
// request without them does not (uint8, no mean/std, no class names), so
// such requests keep today's bytes and model ids.
void writeInputTransform(const InputTransform& transform,
                         schema::TrainingRequest::Body::Builder body);

// The transform fits samples of `sampleShape` and this input type: invalid
// (1) otherwise, naming what differs.
Status checkInputTransform(const InputTransform& transform, const std::vector<int64_t>& sampleShape,
                           bool isUint8);

// For evaluating `state` (a ModelState) as the model of `request` (a
// TrainingRequest): the request's transform. Invalid (1) when the state is
// of another architecture; usage (2) when no test set is given
// (`datasetGiven` false) and the model was not trained on samples the
// default (Fashion-MNIST, uint8 28x28) can stand in for.
Result<InputTransform> readEvaluationTransform(const Message& request, const Message& state,
                                               bool datasetGiven);

// "1/255" for uint8 input, "1" for float32: the scale export metadata
// records.
std::string inputScaleText(bool isUint8);

}  // namespace pot
