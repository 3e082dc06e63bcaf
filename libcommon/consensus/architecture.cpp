// Built-in architecture specs: parsing, parameter shapes, forward multiply-adds.
#include "libcommon/consensus/architecture.h"

#include <cstdlib>

namespace pot {

uint64_t shapeElements(const std::vector<uint32_t>& shape) {
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  return n;
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string torchScriptArchitectureName(const std::string& moduleHashHex) {
  return "torchscript:" + moduleHashHex;
}

namespace {

void addLinear(BuiltinArchitecture& a, const std::string& prefix, uint64_t in, uint64_t out) {
  a.parameters.push_back({prefix + ".weight", {out, in}, in});
  a.parameters.push_back({prefix + ".bias", {out}, in});
  a.forwardMacs += in * out;
}

void addConv(BuiltinArchitecture& a, const std::string& prefix, uint64_t in, uint64_t out,
             uint64_t k, uint64_t outPixels) {
  a.parameters.push_back({prefix + ".weight", {out, in, k, k}, in * k * k});
  a.parameters.push_back({prefix + ".bias", {out}, in * k * k});
  a.forwardMacs += out * outPixels * in * k * k;
}

}  // namespace

Result<BuiltinArchitecture> parseBuiltinArchitecture(const std::string& spec) {
  BuiltinArchitecture a;
  a.spec = spec;
  if (spec == "cnn:lenet5") {
    // LeNet-5 for 28x28 inputs: conv5(pad 2)-pool-conv5-pool-120-84-classes.
    a.kind = BuiltinArchitecture::Kind::kLenet5;
    a.inputShape = {1, 28, 28};
    a.numClasses = 10;
    addConv(a, "conv1", 1, 6, 5, 28 * 28);
    addConv(a, "conv2", 6, 16, 5, 10 * 10);
    addLinear(a, "fc1", 16 * 5 * 5, 120);
    addLinear(a, "fc2", 120, 84);
    addLinear(a, "fc3", 84, 10);
    return a;
  }
  if (spec.rfind("mlp:", 0) != 0)
    return Status::invalid("unknown architecture '" + spec +
                           "' (expected mlp:<in>-<hidden>...-<classes>, cnn:lenet5 or a "
                           "TorchScript module file)");
  std::string rest = spec.substr(4);
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t dash = rest.find('-', pos);
    std::string part = rest.substr(pos, dash == std::string::npos ? std::string::npos : dash - pos);
    char* end = nullptr;
    unsigned long v = part.empty() ? 0 : std::strtoul(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || v == 0 || v > 65536)
      return Status::invalid("bad layer size '" + part + "' in architecture '" + spec + "'");
    a.layerSizes.push_back(static_cast<uint32_t>(v));
    if (dash == std::string::npos) break;
    pos = dash + 1;
  }
  if (a.layerSizes.size() < 2)
    return Status::invalid("architecture '" + spec +
                           "' needs at least an input and an output size");
  a.kind = BuiltinArchitecture::Kind::kMlp;
  a.inputShape = {a.layerSizes.front()};
  a.numClasses = a.layerSizes.back();
  // Linear layers sit at even indices of nn.Sequential(Linear, ReLU, Linear, ...).
  for (size_t i = 0; i + 1 < a.layerSizes.size(); ++i)
    addLinear(a, std::to_string(2 * i), a.layerSizes[i], a.layerSizes[i + 1]);
  return a;
}

}  // namespace pot
