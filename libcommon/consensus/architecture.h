// Built-in architecture specs ("mlp:784-128-10", "cnn:lenet5"): shapes, parameters and tau
// (DESIGN 4.1, 4.5).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/core/status.h"

namespace pot {

// One learnable tensor of a built-in model, in the fixed state-file order.
struct ParameterSpec {
  std::string name;  // "0.weight": PyTorch's nn.Sequential naming
  std::vector<uint64_t> shape;
  uint64_t fanIn = 0;  // bounds the employer's uniform initialisation
};

struct BuiltinArchitecture {
  enum class Kind { kMlp, kLenet5 };
  Kind kind = Kind::kMlp;
  std::string spec;                  // canonical text, e.g. "mlp:784-128-10"
  std::vector<uint32_t> layerSizes;  // MLP only
  std::vector<uint32_t> inputShape;  // per-sample input, e.g. [1, 28, 28]
  uint32_t numClasses = 0;
  std::vector<ParameterSpec> parameters;
  uint64_t forwardMacs = 0;  // multiply-adds of one forward pass
};

// Parses a built-in spec; "mlp:" needs at least two sizes, each 1..65536.
Result<BuiltinArchitecture> parseBuiltinArchitecture(const std::string& spec);

// tau: training FLOPs per sample = 2 FLOPs per multiply-add x 3 (forward and
// backward), as in Sevilla et al. (DESIGN 4.5).
inline uint64_t trainingFlopsPerSample(uint64_t forwardMacs) { return forwardMacs * 2 * 3; }

// The architecture string a state file carries: the built-in spec, or
// "torchscript:<hex sha256 of the module file>".
std::string torchScriptArchitectureName(const std::string& moduleHashHex);

// A shape as people read it in messages: "[1, 28, 28]".
std::string shapeText(const std::vector<int64_t>& shape);

// The product of a shape's dimensions.
uint64_t shapeElements(const std::vector<uint32_t>& shape);

}  // namespace pot
