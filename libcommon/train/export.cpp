// Export (DESIGN 4.7): state <-> safetensors, and the PyTorch definition of built-in models.
#include "libcommon/train/export.h"

#include <capnp/message.h>

#include <cstdio>
#include <map>
#include <sstream>

#include "libcommon/consensus/architecture.h"
#include "libcommon/core/json_writer.h"

namespace pot {
namespace {

constexpr const char* kFormat = "pot-state/1";
constexpr const char* kOptimizerPrefix = "optimizer.";

// A JSON array of float32 values, each printed with 9 significant digits so
// that Python (and any reader) gets the same float32 back.
std::string floatArray(const std::vector<float>& values) {
  JsonWriter w;
  w.beginArray();
  for (float v : values) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
    w.raw(buf);
  }
  w.endArray();
  return w.str();
}

std::string textArray(const std::vector<std::string>& values) {
  JsonWriter w;
  w.beginArray();
  for (const auto& v : values) w.value(v);
  w.endArray();
  return w.str();
}

std::string dtypeName(schema::DType d) {
  switch (d) {
    case schema::DType::FLOAT32:
      return "F32";
    case schema::DType::FLOAT64:
      return "F64";
    case schema::DType::INT64:
      return "I64";
    case schema::DType::UINT8:
      return "U8";
    case schema::DType::INT32:
      return "I32";
  }
  return "";
}

std::optional<schema::DType> dtypeOf(const std::string& name) {
  if (name == "F32") return schema::DType::FLOAT32;
  if (name == "F64") return schema::DType::FLOAT64;
  if (name == "I64") return schema::DType::INT64;
  if (name == "U8") return schema::DType::UINT8;
  if (name == "I32") return schema::DType::INT32;
  return std::nullopt;
}

// Tensor names hold no comma: built-in names are PyTorch's ("0.weight"), and
// a state's names are checked when it is trained.
std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

std::vector<std::string> splitNames(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::stringstream in(text);
  for (std::string n; std::getline(in, n, ',');) out.push_back(n);
  return out;
}

Result<SafeTensor> toSafeTensor(schema::Tensor::Reader t, const std::string& name) {
  SafeTensor s;
  s.name = name;
  s.dtype = dtypeName(t.getDtype());
  if (s.dtype.empty()) return Status::malformed("state tensor '" + name + "' has an unknown dtype");
  uint64_t elements = 1;
  for (auto d : t.getShape()) {
    s.shape.push_back(d);
    elements *= d;
  }
  if (elements * safetensorsElementBytes(s.dtype) != t.getData().size())
    return Status::malformed("state tensor '" + name + "' does not hold its shape's bytes");
  s.data.assign(t.getData().begin(), t.getData().end());
  return s;
}

void fromSafeTensor(schema::Tensor::Builder t, const std::string& name, const SafeTensor& s) {
  t.setName(name);
  t.setDtype(*dtypeOf(s.dtype));
  auto shape = t.initShape(static_cast<unsigned>(s.shape.size()));
  for (size_t i = 0; i < s.shape.size(); ++i) shape.set(static_cast<unsigned>(i), s.shape[i]);
  t.setData(kj::arrayPtr(s.data.data(), s.data.size()));
}

}  // namespace

Result<SafetensorsFile> exportState(const Message& state, const ExportProvenance& provenance) {
  POT_TRY(expectKind(state, schema::Envelope::MODEL_STATE, "state"));
  auto ms = state.envelope().getModelState();
  SafetensorsFile out;
  std::vector<std::string> params, buffers, moduleBuffers;
  for (auto t : ms.getParameters()) {
    auto s = toSafeTensor(t, t.getName().cStr());
    if (!s) return s.status();
    params.push_back(s->name);
    out.tensors.push_back(std::move(*s));
  }
  for (auto t : ms.getOptimizerState()) {
    auto s = toSafeTensor(t, kOptimizerPrefix + std::string(t.getName().cStr()));
    if (!s) return s.status();
    buffers.push_back(t.getName().cStr());
    out.tensors.push_back(std::move(*s));
  }
  // The module's buffers under their PyTorch names, beside the parameters,
  // so load_state_dict() takes both.
  for (auto t : ms.getBuffers()) {
    auto s = toSafeTensor(t, t.getName().cStr());
    if (!s) return s.status();
    moduleBuffers.push_back(s->name);
    out.tensors.push_back(std::move(*s));
  }
  auto& m = out.metadata;
  m["format"] = kFormat;
  m["architecture"] = ms.getArchitecture().cStr();
  m["optimizer"] = ms.getOptimizer().cStr();
  m["stage"] = std::to_string(ms.getStage());
  m["step"] = std::to_string(ms.getStep());
  m["stateHash"] = state.fileHash().hex();
  m["parameters"] = joinNames(params);
  m["optimizerState"] = joinNames(buffers);
  if (ms.hasBuffers()) m["buffers"] = joinNames(moduleBuffers);
  const InputTransform& t = provenance.transform;
  m["inputDtype"] = t.inputTypeName();
  m["inputScale"] = inputScaleText(t.isUint8);
  if (t.normalises()) {
    m["inputMean"] = floatArray(t.mean);
    m["inputStd"] = floatArray(t.std);
  }
  if (!t.classNames.empty()) m["classNames"] = textArray(t.classNames);
  if (provenance.modelId) m["modelId"] = provenance.modelId->hex();
  if (provenance.blockId) m["blockId"] = provenance.blockId->hex();
  if (provenance.height) m["height"] = std::to_string(*provenance.height);
  return out;
}

Result<Bytes> stateFromExport(const SafetensorsFile& file) {
  auto meta = [&](const char* key) -> std::optional<std::string> {
    auto it = file.metadata.find(key);
    if (it == file.metadata.end()) return std::nullopt;
    return it->second;
  };
  if (meta("format") != std::string(kFormat))
    return Status::invalid("not a PoT state export (metadata format is not '" +
                           std::string(kFormat) + "')");
  auto arch = meta("architecture"), optimizer = meta("optimizer"), stage = meta("stage"),
       step = meta("step"), paramList = meta("parameters"), bufferList = meta("optimizerState");
  if (!arch || !optimizer || !stage || !step || !paramList || !bufferList)
    return Status::invalid(
        "the export's metadata lacks architecture, optimizer, stage, step or a tensor list");
  uint64_t stageNumber = 0, stepNumber = 0;
  try {
    size_t used = 0;
    stageNumber = std::stoull(*stage, &used);
    if (used != stage->size() || stageNumber > UINT32_MAX) throw std::invalid_argument("stage");
    stepNumber = std::stoull(*step, &used);
    if (used != step->size()) throw std::invalid_argument("step");
  } catch (const std::exception&) {
    return Status::invalid("the export's stage or step is not a number");
  }
  std::map<std::string, const SafeTensor*> byName;
  for (const auto& t : file.tensors) byName[t.name] = &t;
  const auto params = splitNames(*paramList), buffers = splitNames(*bufferList);
  // Absent for a state without module buffers (its list is null, DESIGN 4.6).
  const auto moduleBufferList = meta("buffers");
  const auto moduleBuffers =
      moduleBufferList ? splitNames(*moduleBufferList) : std::vector<std::string>{};
  if (moduleBufferList && moduleBuffers.empty())
    return Status::invalid("the export's buffers list is empty (a state without buffers has none)");
  if (params.size() + buffers.size() + moduleBuffers.size() != file.tensors.size())
    return Status::invalid("the export holds " + std::to_string(file.tensors.size()) +
                           " tensors, its metadata lists " +
                           std::to_string(params.size() + buffers.size() + moduleBuffers.size()));

  capnp::MallocMessageBuilder builder;
  auto ms = builder.initRoot<schema::Envelope>().initModelState();
  ms.setArchitecture(*arch);
  ms.setOptimizer(*optimizer);
  ms.setStage(static_cast<uint32_t>(stageNumber));
  ms.setStep(stepNumber);
  auto fill = [&](capnp::List<schema::Tensor>::Builder list, const std::vector<std::string>& names,
                  const std::string& prefix) -> Status {
    for (size_t i = 0; i < names.size(); ++i) {
      auto it = byName.find(prefix + names[i]);
      if (it == byName.end())
        return Status::invalid("the export lists tensor '" + prefix + names[i] +
                               "' but does not hold it");
      fromSafeTensor(list[static_cast<unsigned>(i)], names[i], *it->second);
    }
    return Status::ok();
  };
  // Both lists are written even when empty, as the stage function writes them.
  POT_TRY(fill(ms.initParameters(static_cast<unsigned>(params.size())), params, ""));
  POT_TRY(fill(ms.initOptimizerState(static_cast<unsigned>(buffers.size())), buffers,
               kOptimizerPrefix));
  if (!moduleBuffers.empty())
    POT_TRY(fill(ms.initBuffers(static_cast<unsigned>(moduleBuffers.size())), moduleBuffers, ""));
  return encodeMessage(builder.getRoot<schema::Envelope>().asReader());
}

Result<std::string> pytorchModuleSource(const std::string& architecture,
                                        const InputTransform& transform) {
  auto a = parseBuiltinArchitecture(architecture);
  if (!a)
    return Status::invalid("'" + architecture +
                           "' is not a built-in architecture: its TorchScript module file is "
                           "already its definition");
  std::ostringstream py;
  py << "# The model of architecture '" << a->spec << "' as pot-export wrote it: an nn.Module\n"
     << "# whose parameter names are the export's, a reader of the export that needs only\n"
     << "# numpy, and the input transform training used.\n"
     << "import json\n\nimport numpy as np\nimport torch\nfrom torch import nn\n"
     << "import torch.nn.functional as F\n\n"
     << "ARCHITECTURE = \"" << a->spec << "\"\nINPUT_SHAPE = (";
  for (auto d : a->inputShape) py << d << ", ";
  // JSON arrays of numbers and strings are Python literals as they stand.
  py << ")\nINPUT_DTYPE = \"" << transform.inputTypeName() << "\"\n"
     << "MEAN = " << floatArray(transform.mean) << "\nSTD = " << floatArray(transform.std) << "\n"
     << "CLASS_NAMES = " << textArray(transform.classNames) << "\n\n\n";
  if (a->kind == BuiltinArchitecture::Kind::kMlp) {
    py << "def build():\n    layers = []\n    sizes = [";
    for (auto s : a->layerSizes) py << s << ", ";
    py << "]\n"
       << "    for i in range(len(sizes) - 1):\n"
       << "        layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
       << "        if i + 2 < len(sizes):\n"
       << "            layers.append(nn.ReLU())\n"
       << "    return nn.Sequential(*layers)\n";
  } else {
    py << "class LeNet5(nn.Module):\n"
       << "    def __init__(self):\n"
       << "        super().__init__()\n"
       << "        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)\n"
       << "        self.conv2 = nn.Conv2d(6, 16, 5)\n"
       << "        self.fc1 = nn.Linear(16 * 5 * 5, 120)\n"
       << "        self.fc2 = nn.Linear(120, 84)\n"
       << "        self.fc3 = nn.Linear(84, " << a->numClasses << ")\n\n"
       << "    def forward(self, x):\n"
       << "        x = F.max_pool2d(F.relu(self.conv1(x)), 2)\n"
       << "        x = F.max_pool2d(F.relu(self.conv2(x)), 2)\n"
       << "        x = x.reshape(x.size(0), -1)\n"
       << "        x = F.relu(self.fc1(x))\n"
       << "        x = F.relu(self.fc2(x))\n"
       << "        return self.fc3(x)\n\n\n"
       << "def build():\n    return LeNet5()\n";
  }
  py << "\n\n_DTYPES = {\"F32\": \"<f4\", \"F64\": \"<f8\", \"I64\": \"<i8\", \"I32\": \"<i4\", "
        "\"U8\": \"u1\"}\n\n\n"
     << "def read_safetensors(path):\n"
     << "    \"\"\"Returns ({name: tensor}, metadata) of a safetensors file.\"\"\"\n"
     << "    with open(path, \"rb\") as f:\n"
     << "        raw = f.read()\n"
     << "    n = int.from_bytes(raw[:8], \"little\")\n"
     << "    header = json.loads(raw[8:8 + n])\n"
     << "    data = raw[8 + n:]\n"
     << "    meta = header.pop(\"__metadata__\", {})\n"
     << "    tensors = {}\n"
     << "    for name, e in header.items():\n"
     << "        a, b = e[\"data_offsets\"]\n"
     << "        array = np.frombuffer(data[a:b], "
        "dtype=_DTYPES[e[\"dtype\"]]).reshape(e[\"shape\"])\n"
     << "        tensors[name] = torch.from_numpy(array.copy())\n"
     << "    return tensors, meta\n\n\n"
     << "def load(path):\n"
     << "    \"\"\"The trained model of a pot-export file, in eval mode, and the file's "
        "metadata.\"\"\"\n"
     << "    tensors, meta = read_safetensors(path)\n"
     << "    if meta.get(\"architecture\") != ARCHITECTURE:\n"
     << "        raise ValueError(\"%s holds architecture %r, not %r\" % (path, "
        "meta.get(\"architecture\"), ARCHITECTURE))\n"
     << "    model = build()\n"
     << "    # Optimizer tensors ride along so the file re-derives H(S_i); the model takes none.\n"
     << "    model.load_state_dict({k: v for k, v in tensors.items() if not "
        "k.startswith(\"optimizer.\")})\n"
     << "    model.eval()\n"
     << "    return model, meta\n\n\n"
     << "def preprocess(samples):\n"
     << "    \"\"\"Raw samples (N, ...) of INPUT_DTYPE to the model's input, as training saw "
        "them:\n"
     << "    uint8 divided by 255, float32 as is, then (x - MEAN[c]) / STD[c] per channel.\"\"\"\n"
     << "    x = samples.reshape((samples.shape[0],) + INPUT_SHAPE).to(torch.float32)\n"
     << "    if INPUT_DTYPE == \"uint8\":\n"
     << "        x = x / 255.0\n"
     << "    if MEAN:\n"
     << "        view = (len(MEAN),) + (1,) * (len(INPUT_SHAPE) - 1)\n"
     << "        mean = torch.tensor(MEAN, dtype=torch.float32).reshape(view)\n"
     << "        std = torch.tensor(STD, dtype=torch.float32).reshape(view)\n"
     << "        x = (x - mean) / std\n"
     << "    return x\n";
  return py.str();
}

}  // namespace pot
