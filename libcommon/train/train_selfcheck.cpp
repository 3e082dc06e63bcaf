// Known-answer stages for `pot-train-stage selfcheck`: synthetic requests built in memory
// (DESIGN 4.4).
#include "libcommon/train/train_selfcheck.h"

#include <capnp/message.h>

#include "libcommon/consensus/architecture.h"
#include "libcommon/train/train.h"

namespace pot {
namespace {

struct CaseSpec {
  const char* name;
  const char* architecture;
  bool adam;
  bool nesterov;
  bool mse;
  uint32_t minibatch;
  uint32_t samples;
};

Result<SelfcheckCase> runCase(const CaseSpec& c) {
  auto arch = parseBuiltinArchitecture(c.architecture);
  if (!arch) return arch.status();
  // Pixels and labels from a fixed LCG: the case needs no dataset file.
  capnp::MallocMessageBuilder bb;
  auto sb = bb.initRoot<schema::Envelope>().initStageBatch();
  sb.setStage(1);
  auto shape = sb.initSampleShape(static_cast<unsigned>(arch->inputShape.size()));
  for (size_t i = 0; i < arch->inputShape.size(); ++i)
    shape.set(static_cast<unsigned>(i), arch->inputShape[i]);
  sb.setInputType(schema::DType::UINT8);
  uint64_t per = shapeElements(arch->inputShape);
  auto inputs = sb.initInputs(static_cast<unsigned>(per * c.samples));
  uint32_t x = 12345;
  for (size_t i = 0; i < inputs.size(); ++i) {
    x = x * 1664525u + 1013904223u;
    inputs[i] = static_cast<uint8_t>(x >> 24);
  }
  auto labels = sb.initLabels(c.samples);
  for (uint32_t i = 0; i < c.samples; ++i) {
    x = x * 1664525u + 1013904223u;
    labels.set(i, (x >> 16) % arch->numClasses);
  }
  auto batch = decodeMessage(encodeMessage(bb.getRoot<schema::Envelope>().asReader()));
  if (!batch) return batch.status();

  InitialStateSpec init;
  init.architecture = c.architecture;
  init.optimizer = c.adam ? "adam" : "sgd";
  init.momentumBuffers = !c.adam;
  init.seed = 7;
  auto s0 = makeInitialState(init);
  if (!s0) return s0.status();
  auto state = decodeMessage(std::move(*s0));
  if (!state) return state.status();

  capnp::MallocMessageBuilder rb;
  auto body = rb.initRoot<schema::Envelope>().initTrainingRequest().initBody();
  auto a = body.initArchitecture();
  a.setBuiltin(c.architecture);
  auto is = a.initInputShape(static_cast<unsigned>(arch->inputShape.size()));
  for (size_t i = 0; i < arch->inputShape.size(); ++i)
    is.set(static_cast<unsigned>(i), arch->inputShape[i]);
  a.setNumClasses(arch->numClasses);
  body.setLoss(c.mse ? schema::Loss::MSE : schema::Loss::CROSS_ENTROPY);
  if (c.adam) {
    auto o = body.initOptimizer().initAdam();
    o.setLearningRate(1e-3);
    o.setBeta1(0.9);
    o.setBeta2(0.999);
    o.setEps(1e-8);
    o.setWeightDecay(1e-4);
  } else {
    auto o = body.initOptimizer().initSgd();
    o.setLearningRate(0.05);
    o.setMomentum(0.9);
    o.setWeightDecay(1e-4);
    o.setNesterov(c.nesterov);
  }
  body.setMinibatchSize(c.minibatch);
  body.setSeed(7);
  Hash256 bh = (*batch)->fileHash();
  body.initStageBatches(1).set(0, kj::arrayPtr(bh.data(), 32));
  Hash256 s0h = (*state)->fileHash();
  body.setInitialState(kj::arrayPtr(s0h.data(), 32));
  auto request = decodeMessage(encodeMessage(rb.getRoot<schema::Envelope>().asReader()));
  if (!request) return request.status();

  auto out = runStage(**request, **state, **batch, 1);
  if (!out) return out.status().withContext(std::string("selfcheck case ") + c.name);
  return SelfcheckCase{c.name, out->rho, out->stateHash};
}

}  // namespace

Result<std::vector<SelfcheckCase>> runSelfcheckCases(const std::vector<std::string>& only) {
  static const CaseSpec cases[] = {
      {"mlp-sgd-momentum", "mlp:784-32-10", false, false, false, 8, 64},
      {"mlp-sgd-nesterov-mse", "mlp:784-16-10", false, true, true, 4, 32},
      {"lenet5-adam", "cnn:lenet5", true, false, false, 4, 16},
  };
  std::string known;
  for (const auto& c : cases) known += (known.empty() ? "" : ", ") + std::string(c.name);
  for (const auto& name : only) {
    bool found = false;
    for (const auto& c : cases) found = found || name == c.name;
    if (!found)
      return Status::usage("unknown selfcheck case '" + name + "' (known: " + known + ")");
  }
  std::vector<SelfcheckCase> out;
  for (const auto& c : cases) {
    bool wanted = only.empty();
    for (const auto& name : only) wanted = wanted || name == c.name;
    if (!wanted) continue;
    auto r = runCase(c);
    if (!r) return r.status();
    out.push_back(*r);
  }
  return out;
}

Status runSelfcheck(const std::string& profile, const std::string& vectorsPath, bool json,
                    std::ostream& out, const std::vector<std::string>& only) {
  auto cases = runSelfcheckCases(only);
  if (!cases) return cases.status();
  auto path = findSelfcheckVectors(vectorsPath);
  if (!path) return path.status();
  auto answers = readSelfcheckVectors(*path, profile);
  if (!answers) return answers.status();
  auto rows = compareSelfcheck(*cases, *answers);
  out << selfcheckReport(profile, rows, json);
  return selfcheckStatus(profile, *path, *answers, rows);
}

}  // namespace pot
