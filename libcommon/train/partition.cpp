// Partition: dataset to stage batches, S_0 and the signed TrainingRequest in a content-addressed
// folder.
#include "libcommon/train/partition.h"

#include <capnp/message.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "libcommon/consensus/architecture.h"
#include "libcommon/consensus/input_transform.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/coding.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/message_io.h"
#include "libcommon/train/profile.h"
#include "libcommon/train/train.h"

namespace pot {

uint64_t samplesPerStage(uint64_t tau, const ChainFigures& chain, uint32_t minibatch) {
  double expected = 86400.0 / static_cast<double>(std::max<uint64_t>(chain.targetSpacing, 1));
  double scale =
      chain.blocksSeen24h == 0 ? 1.0 : static_cast<double>(chain.blocksSeen24h) / expected;
  scale = std::clamp(scale, 0.25, 4.0);
  double samples = static_cast<double>(chain.targetSpacing) *
                   static_cast<double>(chain.referenceNodeSpeed) /
                   static_cast<double>(std::max<uint64_t>(tau, 1)) * scale;
  uint64_t b = std::max<uint32_t>(minibatch, 1);
  uint64_t rounded = static_cast<uint64_t>(std::llround(samples / static_cast<double>(b))) * b;
  return std::max(rounded, b);
}

std::vector<uint32_t> epochPermutation(uint64_t seed, uint32_t epoch, uint32_t n) {
  std::vector<uint32_t> perm(n);
  for (uint32_t i = 0; i < n; ++i) perm[i] = i;
  uint64_t counter = 0;
  Hash256 h;
  int used = 4;
  for (uint32_t i = n; i > 1; --i) {
    if (used == 4) {
      h = Sha256()
              .update(std::string_view("pot/v1/shuffle"))
              .updateU64(seed)
              .updateU32(epoch)
              .updateU64(counter++)
              .finish();
      used = 0;
    }
    uint64_t r = coding::getLe64(h.bytes.data() + used * 8);
    ++used;
    std::swap(perm[i - 1], perm[r % i]);
  }
  return perm;
}

namespace {

// Remembers what it wrote so a failed partition leaves nothing behind.
class RepoWriter {
 public:
  explicit RepoWriter(std::string dir) : dir_(std::move(dir)) {}
  ~RepoWriter() {
    if (committed_) return;
    for (auto it = created_.rbegin(); it != created_.rend(); ++it) ::unlink(it->c_str());
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) ::rmdir(it->c_str());
  }
  Status open() {
    for (const std::string& d : {dir_, dir_ + "/objects"}) {
      if (::mkdir(d.c_str(), 0755) == 0)
        dirs_.push_back(d);
      else if (errno != EEXIST)
        return Status::io("cannot create '" + d + "': " + std::strerror(errno));
    }
    if (::access((dir_ + "/request").c_str(), F_OK) == 0)
      return Status::io("refusing to overwrite '" + dir_ + "/request'");
    return Status::ok();
  }
  Result<Hash256> put(const Bytes& bytes) {
    Hash256 h = sha256(bytes);
    std::string path = dir_ + "/objects/" + h.hex();
    if (::access(path.c_str(), F_OK) == 0) return h;  // content-addressed: same bytes
    POT_TRY(writeFileAtomic(path, bytes));
    created_.push_back(path);
    return h;
  }
  Status putRequest(const Bytes& bytes) {
    auto h = put(bytes);
    if (!h) return h.status();
    std::string path = dir_ + "/request";
    POT_TRY(writeFileAtomic(path, bytes));
    created_.push_back(path);
    return Status::ok();
  }
  void commit() { committed_ = true; }

 private:
  std::string dir_;
  std::vector<std::string> created_, dirs_;
  bool committed_ = false;
};

}  // namespace

Result<PartitionResult> partitionDataset(const Dataset& data, const PartitionOptions& o,
                                         const SigningKey& employer, const std::string& repoDir,
                                         const std::function<void(const std::string&)>& progress) {
  if (o.minibatch < 2)
    return Status::usage("minibatch size " + std::to_string(o.minibatch) +
                         " is too small: b must be >= 2 (DESIGN 4.1)");
  if (o.epochs < 1) return Status::usage("epochs must be >= 1");
  if (o.declarers < 1) return Status::usage("C (declarers) must be >= 1");
  if (o.loss != "cross-entropy" && o.loss != "mse")
    return Status::usage("unknown loss '" + o.loss + "' (cross-entropy or mse)");
  if (o.optimizer != "sgd" && o.optimizer != "adam")
    return Status::usage("unknown optimizer '" + o.optimizer + "' (sgd or adam)");
  if (!(o.learningRate > 0) || !std::isfinite(o.learningRate))
    return Status::usage("learning rate must be a positive number");
  auto profile = findComputeProfile(o.profile);
  if (!profile) return profile.status();
  if (data.size() == 0) return Status::malformed("the dataset is empty");
  if (data.size() > UINT32_MAX) return Status::malformed("the dataset is too large");

  // The architecture and what it takes.
  std::string archName;
  std::vector<uint32_t> inputShape = data.sampleShape;
  uint32_t classes = data.numClasses();
  uint64_t macs = 0;
  if (o.module) {
    archName = torchScriptArchitectureName(sha256(*o.module).hex());
    auto m = torchScriptForwardMacs(*o.module);
    if (!m) return m.status();
    macs = *m;
  } else {
    auto a = parseBuiltinArchitecture(o.architecture);
    if (!a) return a.status();
    archName = a->spec;
    macs = a->forwardMacs;
    bool fits = a->kind == BuiltinArchitecture::Kind::kMlp
                    ? shapeElements(data.sampleShape) == shapeElements(a->inputShape)
                    : data.sampleShape == a->inputShape;
    auto text = [](const std::vector<uint32_t>& s) {
      std::string t;
      for (size_t i = 0; i < s.size(); ++i) t += (i ? "x" : "") + std::to_string(s[i]);
      return t;
    };
    if (!fits)
      return Status::invalid("the dataset's samples are " + text(data.sampleShape) +
                             ", architecture '" + a->spec + "' takes " + text(a->inputShape));
    if (classes > a->numClasses)
      return Status::invalid("the dataset has labels up to " + std::to_string(classes - 1) +
                             ", architecture '" + a->spec + "' has " +
                             std::to_string(a->numClasses) + " classes");
    classes = a->numClasses;
  }
  uint64_t tau = o.flopsPerSampleOverride ? o.flopsPerSampleOverride : trainingFlopsPerSample(macs);
  uint64_t delta = o.samplesPerStageOverride ? o.samplesPerStageOverride
                                             : samplesPerStage(tau, o.chain, o.minibatch);
  if (delta % o.minibatch != 0)
    return Status::usage("samples per stage " + std::to_string(delta) +
                         " is not a multiple of the minibatch size " + std::to_string(o.minibatch));
  uint64_t n = data.size();
  uint64_t usable = n / o.minibatch * o.minibatch;
  if (usable == 0)
    return Status::invalid("the dataset has " + std::to_string(n) +
                           " samples, fewer than one minibatch of " + std::to_string(o.minibatch));

  // The input transform goes in the request; checked here, before any file
  // is written, as a stage will check it.
  InputTransform transform;
  transform.isUint8 = data.isUint8;
  transform.classNames = data.classNames;
  if (o.mean.size() != o.std.size())
    return Status::usage("give as many --std values as --mean values (" +
                         std::to_string(o.mean.size()) + " and " + std::to_string(o.std.size()) +
                         ")");
  for (size_t i = 0; i < o.mean.size(); ++i) {
    if (!std::isfinite(o.mean[i])) return Status::usage("a --mean value is not finite");
    if (!std::isfinite(o.std[i]) || !(o.std[i] > 0))
      return Status::usage("a --std value is not a positive number");
  }
  transform.mean = o.mean;
  transform.std = o.std;
  {
    std::vector<int64_t> shape(data.sampleShape.begin(), data.sampleShape.end());
    Status fits = checkInputTransform(transform, shape, data.isUint8);
    if (!fits.isOk()) return Status::usage(fits.message());
  }
  if (!transform.classNames.empty() && transform.classNames.size() > classes)
    return Status::invalid("the dataset has " + std::to_string(transform.classNames.size()) +
                           " classes, the architecture " + std::to_string(classes));

  // S_0, made here so no node depends on its own random initialisation.
  InitialStateSpec init;
  init.architecture = archName;
  init.module = o.module;
  init.optimizer = o.optimizer;
  init.momentumBuffers = o.optimizer == "sgd" && o.momentum != 0;
  init.seed = o.seed;
  auto s0 = makeInitialState(init);
  if (!s0) return s0.status();

  RepoWriter repo(repoDir);
  POT_TRY(repo.open());
  PartitionResult result;
  result.tau = tau;
  result.delta = delta;
  // A dataset smaller than Delta makes one stage per epoch of all of it.
  result.samplesPerStage = std::min(delta, usable);
  result.samplesUsed = usable;
  result.samplesDropped = n - usable;
  auto s0Hash = repo.put(*s0);
  if (!s0Hash) return s0Hash.status();
  result.initialState = *s0Hash;
  if (o.module) {
    auto mh = repo.put(*o.module);
    if (!mh) return mh.status();
  }

  uint64_t per = shapeElements(data.sampleShape);
  uint64_t elem = data.isUint8 ? 1 : 4;
  uint32_t stage = 0;
  for (uint32_t epoch = 0; epoch < o.epochs; ++epoch) {
    auto perm = epochPermutation(o.seed, epoch, static_cast<uint32_t>(n));
    for (uint64_t from = 0; from < usable; from += delta) {
      uint64_t count = std::min(delta, usable - from);
      ++stage;
      capnp::MallocMessageBuilder builder;
      auto sb = builder.initRoot<schema::Envelope>().initStageBatch();
      sb.setStage(stage);
      sb.setEpoch(epoch);
      auto shape = sb.initSampleShape(static_cast<unsigned>(data.sampleShape.size()));
      for (size_t i = 0; i < data.sampleShape.size(); ++i)
        shape.set(static_cast<unsigned>(i), data.sampleShape[i]);
      sb.setInputType(data.isUint8 ? schema::DType::UINT8 : schema::DType::FLOAT32);
      auto inputs = sb.initInputs(static_cast<unsigned>(count * per * elem));
      auto labels = sb.initLabels(static_cast<unsigned>(count));
      auto sources = sb.initSourceIndices(static_cast<unsigned>(count));
      for (uint64_t k = 0; k < count; ++k) {
        uint32_t idx = perm[from + k];
        const uint8_t* src =
            data.isUint8 ? data.pixels.data() + idx * per
                         : reinterpret_cast<const uint8_t*>(data.features.data() + idx * per);
        std::memcpy(inputs.begin() + k * per * elem, src, per * elem);
        labels.set(static_cast<unsigned>(k), data.labels[idx]);
        sources.set(static_cast<unsigned>(k), idx);
      }
      auto h = repo.put(encodeMessage(builder.getRoot<schema::Envelope>().asReader()));
      if (!h) return h.status();
      result.stageBatches.push_back(*h);
      if (progress)
        progress("epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.epochs) +
                 ": stage " + std::to_string(stage) + " (" + std::to_string(from + count) + "/" +
                 std::to_string(usable) + " samples)");
    }
  }

  capnp::MallocMessageBuilder builder;
  auto req = builder.initRoot<schema::Envelope>().initTrainingRequest();
  auto body = req.initBody();
  body.setEmployer(kj::arrayPtr(employer.publicKey().data(), 32));
  auto arch = body.initArchitecture();
  if (o.module)
    arch.setTorchScript(kj::arrayPtr(sha256(*o.module).data(), 32));
  else
    arch.setBuiltin(archName);
  auto is = arch.initInputShape(static_cast<unsigned>(inputShape.size()));
  for (size_t i = 0; i < inputShape.size(); ++i) is.set(static_cast<unsigned>(i), inputShape[i]);
  arch.setNumClasses(classes);
  body.setLoss(o.loss == "mse" ? schema::Loss::MSE : schema::Loss::CROSS_ENTROPY);
  auto opt = body.initOptimizer();
  if (o.optimizer == "adam") {
    auto a = opt.initAdam();
    a.setLearningRate(o.learningRate);
    a.setBeta1(o.beta1);
    a.setBeta2(o.beta2);
    a.setEps(o.eps);
    a.setWeightDecay(o.weightDecay);
  } else {
    auto s = opt.initSgd();
    s.setLearningRate(o.learningRate);
    s.setMomentum(o.momentum);
    s.setWeightDecay(o.weightDecay);
    s.setNesterov(o.nesterov);
  }
  body.setMinibatchSize(o.minibatch);
  body.setSeed(o.seed);
  fillRequestProfile(*profile, body.initProfile());
  body.setInitialState(kj::arrayPtr(result.initialState.data(), 32));
  auto list = body.initStageBatches(static_cast<unsigned>(result.stageBatches.size()));
  for (size_t i = 0; i < result.stageBatches.size(); ++i)
    list.set(static_cast<unsigned>(i), kj::arrayPtr(result.stageBatches[i].data(), 32));
  body.setDeclarers(o.declarers);
  body.setFeePerStage(o.feePerStage);
  body.setFlopsPerSample(tau);
  // Delta as computed, as requests always recorded it (their bytes and model
  // ids stay); a dataset smaller than Delta makes shorter stage batches, whose
  // own sizes are in the batches and in --json.
  body.setSamplesPerStage(static_cast<uint32_t>(std::min<uint64_t>(delta, UINT32_MAX)));
  body.setEpochs(o.epochs);
  body.setCreatedAt(o.createdAt);
  body.setDescription(o.description);
  writeInputTransform(transform, body);
  if (!o.repoEndpoints.empty()) {
    auto eps = body.initRepoEndpoints(static_cast<unsigned>(o.repoEndpoints.size()));
    for (size_t i = 0; i < o.repoEndpoints.size(); ++i)
      eps.set(static_cast<unsigned>(i), o.repoEndpoints[i]);
  }
  Bytes sig = signBody(employer, Domain::kRequest, body.asReader());
  req.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  result.modelId = messageId(Domain::kRequest, body.asReader());
  Bytes reqBytes = encodeMessage(builder.getRoot<schema::Envelope>().asReader());
  result.requestHash = sha256(reqBytes);
  POT_TRY(repo.putRequest(reqBytes));
  repo.commit();
  return result;
}

}  // namespace pot
