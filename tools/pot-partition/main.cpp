// pot-partition: an employer's dataset to a repository of stage batches, S_0 and a signed
// TrainingRequest.
#include <ctime>
#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/core/message_io.h"
#include "libcommon/net/net.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/dataset.h"
#include "libcommon/train/partition.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Partition a dataset into stage batches and write a signed training request "
      "into a content-addressed repository folder.",
      "pot-partition"};
  std::string out, key, architecture = "mlp:784-128-10";
  pot::DatasetSource source;
  std::vector<std::string> npy;
  uint64_t limit = 0;
  pot::PartitionOptions o;
  bool json = false, quiet = false;
  app.add_option("-o,--output", out, "Repository folder to write (created if missing)")->required();
  app.add_option("-k,--key", key, "The employer's private key (PKCS#8 PEM, from pot-keygen)")
      ->required();
  app.add_option("-a,--architecture", architecture,
                 "mlp:<in>-<hidden>...-<classes>, cnn:lenet5, or a TorchScript module file")
      ->capture_default_str();
  app.add_option("--images", source.images,
                 "IDX image file, gzipped or not (default: Fashion-MNIST train)");
  app.add_option("--labels", source.labels,
                 "IDX label file, gzipped or not (default: Fashion-MNIST train)");
  app.add_option("--csv", source.csv,
                 "CSV dataset instead of IDX: one sample a line, labels numbers or text");
  app.add_option("--label-column", source.labelColumn,
                 "CSV column holding the label (0-based; -1 = last)")
      ->capture_default_str();
  app.add_option("--npy", npy, "NumPy dataset instead of IDX: SAMPLES.npy LABELS.npy")->expected(2);
  app.add_option("--npz", source.npz, "NumPy .npz dataset instead of IDX");
  app.add_option("--npz-keys", source.npzKeys,
                 "The .npz arrays holding samples and labels: X,Y (default: x,y)");
  app.add_option("--mean", o.mean,
                 "Per-channel mean the request records: inputs become (x - mean) / std")
      ->delimiter(',');
  app.add_option("--std", o.std, "Per-channel standard deviation, as many values as --mean")
      ->delimiter(',');
  app.add_option("--limit", limit, "Use only the first N samples (0 = all)");
  app.add_option("--loss", o.loss, "cross-entropy or mse")->capture_default_str();
  app.add_option("--optimizer", o.optimizer, "sgd or adam")->capture_default_str();
  app.add_option("--lr", o.learningRate, "Learning rate")->capture_default_str();
  app.add_option("--momentum", o.momentum, "SGD momentum")->capture_default_str();
  app.add_option("--weight-decay", o.weightDecay, "L2 weight decay")->capture_default_str();
  app.add_flag("--nesterov", o.nesterov, "SGD with Nesterov momentum");
  app.add_option("--beta1", o.beta1, "Adam beta1")->capture_default_str();
  app.add_option("--beta2", o.beta2, "Adam beta2")->capture_default_str();
  app.add_option("--eps", o.eps, "Adam epsilon")->capture_default_str();
  app.add_option("-b,--minibatch", o.minibatch, "Minibatch size b (>= 2)")->capture_default_str();
  app.add_option("--epochs", o.epochs, "Epochs")->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the shuffle, S_0 and per-stage randomness")
      ->capture_default_str();
  app.add_option("-C,--declarers", o.declarers, "C: declarations per stage")->capture_default_str();
  app.add_option("--fee", o.feePerStage, "Fee per stage in base units")->capture_default_str();
  app.add_option("--profile", o.profile, "Compute profile: portable, x86-64-v3, portable-fast")
      ->capture_default_str();
  app.add_option("--target-spacing", o.chain.targetSpacing, "The chain's T in seconds")
      ->capture_default_str();
  app.add_option("--reference-speed", o.chain.referenceNodeSpeed,
                 "Training FLOP/s of the chain's reference node")
      ->capture_default_str();
  app.add_option("--blocks-24h", o.chain.blocksSeen24h,
                 "Blocks seen in the last 24 h (0 = the expected 86400/T)")
      ->capture_default_str();
  std::string genesis;
  app.add_option("--genesis", genesis,
                 "Take T and the reference node speed from this genesis file, and check C "
                 "against its bounds (explicit options win)");
  app.add_option("--samples-per-stage", o.samplesPerStageOverride,
                 "Use this Delta instead of computing it (a multiple of b)");
  app.add_option("--flops-per-sample", o.flopsPerSampleOverride,
                 "Use this tau instead of estimating it");
  app.add_option("--created-at", o.createdAt, "Request time, Unix seconds (default: now)");
  app.add_option("--description", o.description, "Free text for the request");
  app.add_option("--repo-endpoint", o.repoEndpoints,
                 "A pot-repo endpoint serving this request, named in it so nodes find it "
                 "(repeatable, at most 16)");
  app.add_flag("--json", json, "Print a JSON summary instead of the bare model id");
  app.add_flag("-q,--quiet", quiet, "No progress on stderr");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (o.minibatch < 2)
      return pot::Status::usage("minibatch size must be at least 2 (got " +
                                std::to_string(o.minibatch) +
                                "): b = 1 would make rho a "
                                "per-sample trace of plain SGD (DESIGN 4.1)");
    if (o.repoEndpoints.size() > pot::kMaxRepoEndpoints)
      return pot::Status::usage("at most " + std::to_string(pot::kMaxRepoEndpoints) +
                                " --repo-endpoint");
    for (const auto& ep : o.repoEndpoints) {
      if (ep.size() > pot::kMaxRepoEndpointBytes)
        return pot::Status::usage("--repo-endpoint '" + ep.substr(0, 32) + "...' is too long");
      POT_TRY(pot::net::checkEndpoint(ep, false).withContext("--repo-endpoint"));
    }
    if (!genesis.empty()) {
      auto g = pot::readMessage(genesis, pot::schema::Envelope::GENESIS);
      if (!g) return g.status();
      auto params = (*g)->envelope().getGenesis().getParams();
      if (app.count("--target-spacing") == 0 && params.getTargetSpacing() > 0)
        o.chain.targetSpacing = params.getTargetSpacing();
      if (app.count("--reference-speed") == 0 && params.getReferenceNodeSpeed() > 0)
        o.chain.referenceNodeSpeed = params.getReferenceNodeSpeed();
      if (o.declarers < params.getMinDeclarers() ||
          (params.getMaxDeclarers() > 0 && o.declarers > params.getMaxDeclarers()))
        return pot::Status::usage("C = " + std::to_string(o.declarers) +
                                  " is outside the chain's [" +
                                  std::to_string(params.getMinDeclarers()) + ", " +
                                  std::to_string(params.getMaxDeclarers()) + "]");
    }
    auto employer = pot::SigningKey::load(key);
    if (!employer) return employer.status();
    pot::Bytes module;
    bool builtin = architecture.rfind("mlp:", 0) == 0 || architecture.rfind("cnn:", 0) == 0;
    if (!builtin) {
      auto bytes = pot::readFile(architecture, 1ull << 30);
      if (!bytes)
        return bytes.status().withContext(
            "architecture is neither a built-in spec nor a readable TorchScript file");
      module = std::move(*bytes);
      o.module = &module;
    }
    o.architecture = architecture;
    if (o.createdAt == 0) o.createdAt = static_cast<uint64_t>(time(nullptr));
    bool progress = !quiet && pot::isTerminal(2);
    if (progress) pot::note("pot-partition", "reading the dataset");
    if (!npy.empty()) {
      source.npySamples = npy[0];
      source.npyLabels = npy[1];
    }
    auto data =
        pot::loadDataset(source, std::string(pot::kFashionMnistDir) + "/train-images-idx3-ubyte.gz",
                         std::string(pot::kFashionMnistDir) + "/train-labels-idx1-ubyte.gz");
    if (!data) return data.status();
    pot::truncateDataset(*data, limit);
    auto r = pot::partitionDataset(*data, o, *employer, out, [&](const std::string& msg) {
      if (progress) std::cerr << "\rpot-partition: " << msg << "   " << std::flush;
    });
    if (progress) std::cerr << "\n";
    if (!r) return r.status();
    // Said even without a terminal: an employer should know which rows no
    // node will ever train on.
    if (r->samplesDropped > 0 && !quiet)
      pot::note("pot-partition", "dropped " + std::to_string(r->samplesDropped) + " of " +
                                     std::to_string(data->size()) +
                                     " samples per epoch: they do not fill a last "
                                     "minibatch of " +
                                     std::to_string(o.minibatch) + " (DESIGN 4.1)");
    if (json) {
      pot::JsonWriter w;
      w.beginObject()
          .field("modelId", r->modelId.hex())
          .field("request", out + "/request")
          .field("requestHash", r->requestHash.hex())
          .field("initialState", r->initialState.hex())
          .field("stages", r->stageBatches.size())
          .field("samplesPerStage", r->samplesPerStage)
          .field("delta", r->delta)
          .field("samplesDropped", r->samplesDropped)
          .field("flopsPerSample", r->tau)
          .field("samplesPerEpoch", r->samplesUsed)
          .endObject();
      std::cout << w.str() << "\n";
    } else {
      std::cout << r->modelId.hex() << "\n";
    }
    return pot::Status::ok();
  });
}
