// The stage function's training loop, state files, S_0, evaluation and the benchmark baseline
// (DESIGN 4.1, 4.3); input checks, the optimizer step and profile set-up are beside it.
#include "libcommon/train/train.h"

#include <capnp/message.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <sstream>

#include "libcommon/consensus/architecture.h"
#include "libcommon/core/coding.h"
#include "libcommon/train/linear_layer.h"
#include "libcommon/train/optimizer_step.h"
#include "libcommon/train/stage_inputs.h"
#include "libcommon/train/torch_errors.h"
#include "libcommon/train/training_secret.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "state files hold little-endian data");

namespace pot {

namespace {

using schema::Envelope;

// A model: named leaf parameters in state-file order, and a forward pass.
struct Model {
  std::string architecture;
  std::optional<BuiltinArchitecture> builtin;
  std::optional<torch::jit::Module> script;
  std::vector<std::string> names;
  std::vector<torch::Tensor> params;
  // A TorchScript module's buffers (BatchNorm running statistics), the
  // module's own tensors: training mode updates them in the forward pass.
  std::vector<std::string> bufferNames;
  std::vector<torch::Tensor> buffers;

  torch::Tensor forward(const torch::Tensor& input) {
    if (script) return script->forward({input}).toTensor();
    const auto& a = *builtin;
    if (a.kind == BuiltinArchitecture::Kind::kMlp) {
      torch::Tensor x = input.reshape({input.size(0), -1});
      size_t layers = params.size() / 2;
      for (size_t i = 0; i < layers; ++i) {
        x = linearLayer(x, params[2 * i], params[2 * i + 1]);
        if (i + 1 < layers) x = torch::relu(x);
      }
      return x;
    }
    torch::Tensor x = torch::conv2d(input, params[0], params[1], 1, 2);
    x = torch::max_pool2d(torch::relu(x), 2);
    x = torch::conv2d(x, params[2], params[3]);
    x = torch::max_pool2d(torch::relu(x), 2);
    x = x.reshape({x.size(0), -1});
    x = torch::relu(linearLayer(x, params[4], params[5]));
    x = torch::relu(linearLayer(x, params[6], params[7]));
    return linearLayer(x, params[8], params[9]);
  }
};

Result<Model> loadModel(const std::string& architecture, const Bytes* module) {
  Model m;
  m.architecture = architecture;
  if (architecture.rfind("torchscript:", 0) == 0) {
    if (!module)
      return Status::usage("architecture '" + architecture +
                           "' is a TorchScript module: give its file (--module)");
    std::string want = architecture.substr(12);
    if (sha256(*module).hex() != want)
      return Status::invalid("the TorchScript module file has SHA-256 " + sha256(*module).hex() +
                             ", the request names " + want);
    try {
      std::istringstream in(std::string(module->begin(), module->end()));
      m.script = torch::jit::load(in, torch::kCPU);
    } catch (const std::exception& e) {
      return Status::malformed("cannot load the TorchScript module: " + firstLine(e.what()));
    }
    for (const auto& p : m.script->named_parameters(true)) {
      m.names.push_back(p.name);
      m.params.push_back(p.value);
    }
    if (m.params.empty()) return Status::malformed("the TorchScript module has no parameters");
    // Buffers change in training without being parameters: S_i holds them
    // (DESIGN 4.6), so a stage continues from S_{i-1}'s, not the file's.
    for (const auto& b : m.script->named_buffers(true)) {
      if (b.value.scalar_type() != torch::kFloat32 && b.value.scalar_type() != torch::kInt64)
        return Status::invalid("the TorchScript module's buffer '" + b.name + "' is of dtype " +
                               std::string(c10::toString(b.value.scalar_type())) +
                               "; a state holds float32 and int64 buffers");
      m.bufferNames.push_back(b.name);
      m.buffers.push_back(b.value);
    }
    m.script->train();
    return m;
  }
  auto a = parseBuiltinArchitecture(architecture);
  if (!a) return a.status();
  for (const auto& p : a->parameters) {
    m.names.push_back(p.name);
    std::vector<int64_t> shape(p.shape.begin(), p.shape.end());
    m.params.push_back(torch::zeros(shape, torch::kFloat32));
  }
  m.builtin = std::move(*a);
  return m;
}

// Optimizer buffer names per parameter, in state-file order.
std::vector<std::string> bufferPrefixes(const std::string& optimizer, bool momentum) {
  if (optimizer == "adam") return {"exp_avg.", "exp_avg_sq."};
  if (momentum) return {"momentum_buffer."};
  return {};
}

torch::Tensor tensorFromState(schema::Tensor::Reader t) {
  std::vector<int64_t> shape;
  for (auto d : t.getShape()) shape.push_back(static_cast<int64_t>(d));
  auto data = t.getData();
  torch::Tensor out = torch::empty(shape, torch::kFloat32);
  std::memcpy(out.data_ptr<float>(), data.begin(), data.size());
  return out;
}

// Checks one state tensor against the expected name and shape.
Status checkTensor(schema::Tensor::Reader t, const std::string& name,
                   const std::vector<int64_t>& shape,
                   schema::DType dtype = schema::DType::FLOAT32) {
  if (t.getName() != name)
    return Status::invalid("state tensor '" + std::string(t.getName().cStr()) + "' where '" + name +
                           "' was expected");
  const bool int64 = dtype == schema::DType::INT64;
  if (t.getDtype() != dtype)
    return Status::malformed("state tensor '" + name + "' is not " + (int64 ? "int64" : "float32"));
  std::vector<int64_t> got;
  uint64_t n = 1;
  for (auto d : t.getShape()) {
    got.push_back(static_cast<int64_t>(d));
    if (d > (1ull << 32)) return Status::malformed("state tensor '" + name + "' is too large");
    n *= d;
  }
  if (got != shape)
    return Status::invalid("state tensor '" + name + "' has shape " + shapeText(got) +
                           ", the architecture needs " + shapeText(shape));
  size_t bytes = t.getData().size();
  if (bytes != n * (int64 ? 8 : 4))
    return Status::malformed("state tensor '" + name + "' holds " + std::to_string(bytes) +
                             " bytes for " + std::to_string(n) + " values");
  return Status::ok();
}

struct LoadedState {
  uint64_t step = 0;
  std::vector<torch::Tensor> buffers;  // per parameter, per prefix
};

Result<LoadedState> loadState(schema::ModelState::Reader ms, Model& model,
                              const std::string& optimizer, bool momentum) {
  if (ms.getArchitecture() != model.architecture)
    return Status::invalid("the state file is of architecture '" +
                           std::string(ms.getArchitecture().cStr()) + "', the request trains '" +
                           model.architecture + "'");
  if (ms.getOptimizer() != optimizer)
    return Status::invalid("the state file holds optimizer '" +
                           std::string(ms.getOptimizer().cStr()) + "' state, the request uses '" +
                           optimizer + "'");
  auto params = ms.getParameters();
  if (params.size() != model.params.size())
    return Status::invalid("the state file has " + std::to_string(params.size()) +
                           " parameter tensors, the architecture has " +
                           std::to_string(model.params.size()));
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < model.params.size(); ++i) {
    POT_TRY(checkTensor(params[i], model.names[i], model.params[i].sizes().vec()));
    model.params[i].copy_(tensorFromState(params[i]));
  }
  auto prefixes = bufferPrefixes(optimizer, momentum);
  auto bufs = ms.getOptimizerState();
  if (bufs.size() != prefixes.size() * model.params.size())
    return Status::invalid("the state file has " + std::to_string(bufs.size()) +
                           " optimizer tensors, expected " +
                           std::to_string(prefixes.size() * model.params.size()));
  // The module's buffers, in place: the forward pass reads and updates them.
  if (ms.hasBuffers() && ms.getBuffers().size() == 0)
    return Status::malformed("the state file's buffers are an empty list (null is the form)");
  auto stateBuffers = ms.getBuffers();
  if (stateBuffers.size() != model.buffers.size())
    return Status::invalid("the state file has " + std::to_string(stateBuffers.size()) +
                           " buffers, the architecture has " +
                           std::to_string(model.buffers.size()));
  for (size_t i = 0; i < model.buffers.size(); ++i) {
    auto t = stateBuffers[static_cast<unsigned>(i)];
    const bool int64 = model.buffers[i].scalar_type() == torch::kInt64;
    POT_TRY(checkTensor(t, model.bufferNames[i], model.buffers[i].sizes().vec(),
                        int64 ? schema::DType::INT64 : schema::DType::FLOAT32));
    auto data = t.getData();
    torch::Tensor v = torch::empty(model.buffers[i].sizes(), model.buffers[i].scalar_type());
    std::memcpy(v.data_ptr(), data.begin(), data.size());
    model.buffers[i].copy_(v);
  }
  LoadedState out;
  out.step = ms.getStep();
  size_t k = 0;
  for (size_t i = 0; i < model.params.size(); ++i)
    for (const auto& prefix : prefixes) {
      POT_TRY(checkTensor(bufs[k], prefix + model.names[i], model.params[i].sizes().vec()));
      out.buffers.push_back(tensorFromState(bufs[k]));
      ++k;
    }
  return out;
}

void setTensor(schema::Tensor::Builder t, const std::string& name, const torch::Tensor& value) {
  torch::Tensor v = value.detach().contiguous().to(torch::kFloat32);
  t.setName(name);
  t.setDtype(schema::DType::FLOAT32);
  auto shape = t.initShape(static_cast<unsigned>(v.dim()));
  for (int64_t d = 0; d < v.dim(); ++d)
    shape.set(static_cast<unsigned>(d), static_cast<uint64_t>(v.size(d)));
  t.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(v.data_ptr<float>()),
                         static_cast<size_t>(v.numel()) * 4));
}

// A module buffer in its own dtype (float32 or int64, as loadModel allows).
void setBufferTensor(schema::Tensor::Builder t, const std::string& name,
                     const torch::Tensor& value) {
  if (value.scalar_type() != torch::kInt64) return setTensor(t, name, value);
  torch::Tensor v = value.detach().contiguous();
  t.setName(name);
  t.setDtype(schema::DType::INT64);
  auto shape = t.initShape(static_cast<unsigned>(v.dim()));
  for (int64_t d = 0; d < v.dim(); ++d)
    shape.set(static_cast<unsigned>(d), static_cast<uint64_t>(v.size(d)));
  t.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(v.data_ptr<int64_t>()),
                         static_cast<size_t>(v.numel()) * 8));
}

Bytes encodeState(const Model& model, const std::string& optimizer, bool momentum, uint32_t stage,
                  uint64_t step, const std::vector<torch::Tensor>& buffers) {
  capnp::MallocMessageBuilder builder;
  auto ms = builder.initRoot<Envelope>().initModelState();
  ms.setArchitecture(model.architecture);
  ms.setOptimizer(optimizer);
  ms.setStage(stage);
  ms.setStep(step);
  auto params = ms.initParameters(static_cast<unsigned>(model.params.size()));
  for (size_t i = 0; i < model.params.size(); ++i)
    setTensor(params[static_cast<unsigned>(i)], model.names[i], model.params[i]);
  auto prefixes = bufferPrefixes(optimizer, momentum);
  auto bufs = ms.initOptimizerState(static_cast<unsigned>(buffers.size()));
  size_t k = 0;
  for (size_t i = 0; i < model.params.size(); ++i)
    for (const auto& prefix : prefixes) {
      setTensor(bufs[static_cast<unsigned>(k)], prefix + model.names[i], buffers[k]);
      ++k;
    }
  if (!model.buffers.empty()) {
    auto list = ms.initBuffers(static_cast<unsigned>(model.buffers.size()));
    for (size_t i = 0; i < model.buffers.size(); ++i)
      setBufferTensor(list[static_cast<unsigned>(i)], model.bufferNames[i], model.buffers[i]);
  }
  return encodeMessage(builder.getRoot<Envelope>().asReader());
}

// The request's per-channel normalisation of model input x of shape
// [n, C, ...]: a subtraction, then a division, each in float32, as PyTorch's
// (x - mean) / std broadcasts them (docs/protocol.md "Input transform").
torch::Tensor normalise(torch::Tensor x, const InputTransform& transform) {
  if (!transform.normalises()) return x;
  std::vector<int64_t> shape(static_cast<size_t>(x.dim() - 1), 1);
  shape[0] = static_cast<int64_t>(transform.mean.size());
  torch::Tensor mean = torch::tensor(transform.mean, torch::kFloat32).reshape(shape);
  torch::Tensor std = torch::tensor(transform.std, torch::kFloat32).reshape(shape);
  return x.sub_(mean).div_(std);
}

// Inputs of samples [from, from + n) as float32 of shape [n, sampleShape...].
// `data` is read from the message once per stage: every Cap'n Proto read
// counts against the reader's traversal limit.
torch::Tensor batchInputs(capnp::Data::Reader data, schema::DType type,
                          const std::vector<int64_t>& sampleShape, int64_t from, int64_t n,
                          const InputTransform& transform) {
  int64_t per = 1;
  for (auto d : sampleShape) per *= d;
  std::vector<int64_t> shape{n};
  shape.insert(shape.end(), sampleShape.begin(), sampleShape.end());
  if (type == schema::DType::UINT8) {
    auto raw =
        torch::from_blob(const_cast<kj::byte*>(data.begin()) + from * per, shape, torch::kUInt8);
    return normalise(raw.to(torch::kFloat32).div_(255.0), transform);
  }
  auto raw = torch::from_blob(const_cast<kj::byte*>(data.begin()) + from * per * 4, shape,
                              torch::kFloat32);
  return normalise(raw.clone(), transform);
}

torch::Tensor perSampleLosses(const torch::Tensor& out, const torch::Tensor& labels,
                              schema::Loss loss) {
  if (loss == schema::Loss::MSE) {
    auto target = torch::one_hot(labels, out.size(1)).to(torch::kFloat32);
    return (out - target).pow(2).mean(1);
  }
  return torch::nn::functional::cross_entropy(
      out, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
}

Result<StageOutcome> runStageImpl(const Message& request, const Message& state,
                                  const Message& batch, uint32_t stage, const Bytes* module,
                                  const StageProgress& progress) {
  auto plan = checkStageRequest(request, state, batch, stage);
  if (!plan) return plan.status();
  auto model = loadModel(plan->architecture, module);
  if (!model) return model.status();
  POT_TRY(checkStageState(state, stage));
  auto loaded =
      loadState(state.envelope().getModelState(), *model, plan->optimizer, plan->momentumBuffers);
  if (!loaded) return loaded.status();
  // After the checks above, which say more precisely what is wrong.
  POT_TRY(checkInitialState(request, state, stage));
  auto samples = checkStageBatch(request, batch, stage);
  if (!samples) return samples.status();
  torch::Tensor labels = torch::tensor(samples->labels, torch::kInt64);

  const uint64_t n = samples->count;
  const uint32_t b = plan->minibatch;
  const uint32_t classes = samples->classes;
  torch::manual_seed(stageSeed(plan->seed, stage));
  uint64_t nextReport = 0;
  for (auto& p : model->params) p.set_requires_grad(true);
  auto& bufs = loaded->buffers;
  const size_t perParameter = bufferPrefixes(plan->optimizer, plan->momentumBuffers).size();
  uint64_t step = loaded->step;
  StageOutcome outcome;
  outcome.losses.reserve(n);
  for (uint64_t from = 0; from < n; from += b) {
    if (progress && from >= nextReport) {
      progress(from, n);
      nextReport = from + std::max<uint64_t>(n / 100, b);
    }
    torch::Tensor x = batchInputs(samples->inputs, samples->inputType, samples->sampleShape,
                                  static_cast<int64_t>(from), b, samples->transform);
    torch::Tensor out;
    try {
      out = model->forward(x);
    } catch (const std::exception& e) {
      // A module that cannot take the request's input shape is the request's
      // fault. (TorchScript raises its own exception type, not c10::Error.)
      const auto* c10 = dynamic_cast<const c10::Error*>(&e);
      std::string why = c10 ? c10->what_without_backtrace() : e.what();
      // The interpreter's first line is a header; the cause is the last line.
      while (!why.empty() && why.back() == '\n') why.pop_back();
      std::string last = why.substr(why.rfind('\n') == std::string::npos ? 0 : why.rfind('\n') + 1);
      return Status::invalid("the model's forward pass fails on the batch: " + firstLine(last));
    }
    if (out.dim() != 2 || out.size(0) != b || out.size(1) != classes)
      return Status::invalid("the model's output has shape " + shapeText(out.sizes().vec()) +
                             ", expected [" + std::to_string(b) + ", " + std::to_string(classes) +
                             "]");
    torch::Tensor losses = perSampleLosses(out, labels.slice(0, from, from + b), plan->loss);
    torch::Tensor lc = losses.detach().contiguous();
    const float* lp = lc.data_ptr<float>();
    outcome.losses.insert(outcome.losses.end(), lp, lp + b);
    for (auto& p : model->params) p.mutable_grad().reset();
    losses.mean().backward();
    ++step;
    // The step works on the tensors' own float32 storage. Parameters and
    // buffers are contiguous as made here (a gradient follows its parameter's
    // layout); a TorchScript module's strided parameter is stepped in a
    // contiguous copy and copied back, which changes no value.
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> values, grads;
    std::vector<ParameterSlot> slots(model->params.size());
    for (size_t i = 0; i < model->params.size(); ++i) {
      torch::Tensor& p = model->params[i];
      values.push_back(p.contiguous());
      ParameterSlot& slot = slots[i];
      slot.value = values.back().data_ptr<float>();
      slot.count = p.numel();
      if (p.grad().defined()) {
        grads.push_back(p.grad().contiguous());
        slot.grad = grads.back().data_ptr<float>();
      }
      for (size_t k = 0; k < perParameter; ++k)
        slot.buffers[k] = bufs[perParameter * i + k].data_ptr<float>();
    }
    applyOptimizerStep(plan->settings, plan->momentumBuffers, step, slots);
    for (size_t i = 0; i < model->params.size(); ++i)
      if (!values[i].is_same(model->params[i])) model->params[i].copy_(values[i]);
  }
  for (float l : outcome.losses)
    if (!std::isfinite(l))
      return Status::invalid("training diverged: a per-sample loss is not finite");
  outcome.rho = trainingSecret(outcome.losses);
  outcome.nextState =
      encodeState(*model, plan->optimizer, plan->momentumBuffers, stage, step, bufs);
  outcome.stateHash = sha256(outcome.nextState);
  return outcome;
}

// The uniform initialisation stream: SHA-256 in counter mode over the seed
// and the tensor name, 24 bits per value.
void fillUniform(torch::Tensor& t, uint64_t seed, const std::string& name, double bound) {
  float* p = t.data_ptr<float>();
  int64_t n = t.numel();
  for (int64_t i = 0; i < n; i += 8) {
    Hash256 h = Sha256()
                    .update(std::string_view("pot/v1/init"))
                    .updateU64(seed)
                    .update(name)
                    .updateU64(static_cast<uint64_t>(i))
                    .finish();
    for (int64_t k = 0; k < 8 && i + k < n; ++k) {
      uint32_t u = coding::getLe32(h.bytes.data() + 4 * k);
      double unit = static_cast<double>(u >> 8) / 16777216.0;
      p[i + k] = static_cast<float>((2 * unit - 1) * bound);
    }
  }
}

}  // namespace

Result<StageOutcome> runStageWithModule(const Message& request, const Message& state,
                                        const Message& batch, uint32_t stage, const Bytes* module) {
  return runStageWithProgress(request, state, batch, stage, module, nullptr);
}

Result<StageOutcome> runStageWithProgress(const Message& request, const Message& state,
                                          const Message& batch, uint32_t stage, const Bytes* module,
                                          const StageProgress& progress) {
  return guardTorch("stage",
                    [&]() { return runStageImpl(request, state, batch, stage, module, progress); });
}

Result<StageOutcome> runStage(const Message& request, const Message& state, const Message& batch,
                              uint32_t stage) {
  return runStageWithModule(request, state, batch, stage, nullptr);
}

Result<double> runBaselineStage(const Message& request, const Message& state, const Message& batch,
                                uint32_t stage, uint32_t stepSamples, uint64_t maxSamples) {
  return guardTorch("baseline", [&]() -> Result<double> {
    POT_TRY(expectKind(request, Envelope::TRAINING_REQUEST, "request"));
    POT_TRY(expectKind(state, Envelope::MODEL_STATE, "state"));
    POT_TRY(expectKind(batch, Envelope::STAGE_BATCH, "batch"));
    auto req = request.envelope().getTrainingRequest().getBody();
    if (req.getArchitecture().isTorchScript())
      return Status::usage("baseline: built-in architectures only");
    auto model = loadModel(req.getArchitecture().getBuiltin(), nullptr);
    if (!model) return model.status();
    auto opt = req.getOptimizer();
    std::string optimizer = opt.isAdam() ? "adam" : "sgd";
    auto loaded = loadState(state.envelope().getModelState(), *model, optimizer,
                            opt.isSgd() && opt.getSgd().getMomentum() != 0);
    if (!loaded) return loaded.status();
    auto sb = batch.envelope().getStageBatch();
    std::vector<int64_t> shape;
    for (auto d : sb.getSampleShape()) shape.push_back(d);
    int64_t n = sb.getLabels().size();
    if (maxSamples && static_cast<int64_t>(maxSamples) < n) n = static_cast<int64_t>(maxSamples);
    auto transform = readInputTransform(req);
    if (!transform) return transform.status();
    torch::Tensor x = batchInputs(sb.getInputs(), sb.getInputType(), shape, 0, n, *transform);
    std::vector<int64_t> lv;
    for (auto l : sb.getLabels()) lv.push_back(l);
    torch::Tensor y = torch::tensor(lv, torch::kInt64).slice(0, 0, n);
    for (auto& p : model->params) p.set_requires_grad(true);
    std::unique_ptr<torch::optim::Optimizer> o;
    if (opt.isSgd()) {
      auto s = opt.getSgd();
      o = std::make_unique<torch::optim::SGD>(model->params,
                                              torch::optim::SGDOptions(s.getLearningRate())
                                                  .momentum(s.getMomentum())
                                                  .weight_decay(s.getWeightDecay())
                                                  .nesterov(s.getNesterov()));
    } else {
      auto a = opt.getAdam();
      o = std::make_unique<torch::optim::Adam>(model->params,
                                               torch::optim::AdamOptions(a.getLearningRate())
                                                   .betas({a.getBeta1(), a.getBeta2()})
                                                   .eps(a.getEps())
                                                   .weight_decay(a.getWeightDecay()));
    }
    int64_t b = stepSamples ? stepSamples : req.getMinibatchSize();
    auto start = std::chrono::steady_clock::now();
    for (int64_t from = 0; from + b <= n; from += b) {
      o->zero_grad();
      torch::Tensor out = model->forward(x.slice(0, from, from + b));
      torch::nn::functional::cross_entropy(out, y.slice(0, from, from + b)).backward();
      o->step();
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  });
}

Result<Bytes> makeInitialState(const InitialStateSpec& spec) {
  return guardTorch("initial state", [&]() -> Result<Bytes> {
    auto model = loadModel(spec.architecture, spec.module);
    if (!model) return model.status();
    bool momentum = spec.optimizer == "sgd" && spec.momentumBuffers;
    if (model->builtin) {
      for (size_t i = 0; i < model->params.size(); ++i) {
        double bound = 1.0 / std::sqrt(static_cast<double>(model->builtin->parameters[i].fanIn));
        fillUniform(model->params[i], spec.seed, model->names[i], bound);
      }
    }
    std::vector<torch::Tensor> buffers;
    size_t per = bufferPrefixes(spec.optimizer, momentum).size();
    for (const auto& p : model->params)
      for (size_t k = 0; k < per; ++k) buffers.push_back(torch::zeros_like(p));
    return encodeState(*model, spec.optimizer, momentum, 0, 0, buffers);
  });
}

Result<uint64_t> torchScriptForwardMacs(const Bytes& module) {
  return guardTorch("TorchScript module", [&]() -> Result<uint64_t> {
    auto model = loadModel(torchScriptArchitectureName(sha256(module).hex()), &module);
    if (!model) return model.status();
    uint64_t n = 0;
    for (const auto& p : model->params) n += static_cast<uint64_t>(p.numel());
    return n;
  });
}

Result<Evaluation> evaluateState(const Message& state, const Bytes* module, const Dataset& data) {
  return evaluateStateWithTransform(state, module, data, InputTransform{});
}

Result<Evaluation> evaluateStateWithTransform(const Message& state, const Bytes* module,
                                              const Dataset& data,
                                              const InputTransform& transform) {
  return guardTorch("evaluation", [&]() -> Result<Evaluation> {
    POT_TRY(expectKind(state, Envelope::MODEL_STATE, "state"));
    auto ms = state.envelope().getModelState();
    auto model = loadModel(ms.getArchitecture(), module);
    if (!model) return model.status();
    std::string optimizer = ms.getOptimizer();
    bool momentum = ms.getOptimizerState().size() == model->params.size();
    auto loaded = loadState(ms, *model, optimizer, momentum);
    if (!loaded) return loaded.status();
    std::vector<int64_t> shape(data.sampleShape.begin(), data.sampleShape.end());
    if (model->builtin) {
      std::vector<int64_t> want(model->builtin->inputShape.begin(),
                                model->builtin->inputShape.end());
      int64_t a = 1, b = 1;
      for (auto d : shape) a *= d;
      for (auto d : want) b *= d;
      bool ok = model->builtin->kind == BuiltinArchitecture::Kind::kMlp ? a == b : shape == want;
      if (!ok)
        return Status::invalid("the dataset's samples have shape " + shapeText(shape) +
                               ", the architecture takes " + shapeText(want));
    }
    POT_TRY(checkInputTransform(transform, shape, data.isUint8));
    if (model->script) model->script->eval();
    torch::NoGradGuard noGrad;
    int64_t per = 1;
    for (auto d : shape) per *= d;
    Evaluation ev;
    double lossSum = 0;
    const int64_t chunk = 1000;
    for (int64_t from = 0; from < static_cast<int64_t>(data.size()); from += chunk) {
      int64_t n = std::min<int64_t>(chunk, static_cast<int64_t>(data.size()) - from);
      std::vector<int64_t> s{n};
      s.insert(s.end(), shape.begin(), shape.end());
      torch::Tensor x = normalise(
          data.isUint8 ? torch::from_blob(const_cast<uint8_t*>(data.pixels.data()) + from * per, s,
                                          torch::kUInt8)
                             .to(torch::kFloat32)
                             .div_(255.0)
                       : torch::from_blob(const_cast<float*>(data.features.data()) + from * per, s,
                                          torch::kFloat32)
                             .clone(),
          transform);
      std::vector<int64_t> lv(data.labels.begin() + from, data.labels.begin() + from + n);
      torch::Tensor labels = torch::tensor(lv, torch::kInt64);
      torch::Tensor out = model->forward(x);
      if (out.dim() != 2 || out.size(0) != n)
        return Status::invalid("the model's output has shape " + shapeText(out.sizes().vec()));
      if (labels.max().item<int64_t>() >= out.size(1))
        return Status::invalid("the dataset has labels beyond the model's " +
                               std::to_string(out.size(1)) + " classes");
      lossSum +=
          torch::nn::functional::cross_entropy(
              out, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
              .item<double>();
      ev.correct += static_cast<uint64_t>(out.argmax(1).eq(labels).sum().item<int64_t>());
      ev.samples += static_cast<uint64_t>(n);
    }
    if (ev.samples == 0) return Status::invalid("the dataset is empty");
    ev.accuracy = static_cast<double>(ev.correct) / static_cast<double>(ev.samples);
    ev.meanLoss = lossSum / static_cast<double>(ev.samples);
    return ev;
  });
}

}  // namespace pot
