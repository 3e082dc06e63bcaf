// pot-evaluate: test-set accuracy and loss of a model state file, or of every stage of a model
// on the chain in one process (the employer's view of the result, and its curve).
#include <cmath>
#include <cstdio>
#include <iostream>

#include "libcommon/core/data_field.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/core/message_io.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/repo_args.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/dataset.h"
#include "libcommon/train/export_chain.h"
#include "libcommon/train/per_stage_json.h"
#include "libcommon/train/profile.h"
#include "libcommon/train/profile_setup.h"
#include "libcommon/train/stage_evaluation.h"
#include "libcommon/train/stage_losses.h"
#include "libcommon/train/train.h"

namespace {

// Six decimals, as scripts have always read them; JSON has no NaN.
void sixDecimals(pot::JsonWriter& w, double v) {
  if (!std::isfinite(v)) {
    w.null();
    return;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  w.raw(buf);
}

// --per-stage: S_0 and every stage the chain recorded, evaluated in this
// process (libtorch starts once), as a table or one JSON document; with
// `trainingLoss` also each stage's mean training loss (published trace, else
// a checked re-run), and with `!accuracy` only that.
pot::Status perStage(const pot::ChainView& chain, const pot::Hash256& modelId,
                     const pot::ObjectSource& objects, const pot::DatasetSource& source,
                     uint64_t limit, bool accuracy, bool trainingLoss, bool json, int argc,
                     char** argv) {
  auto model = pot::chainModel(chain, modelId);
  if (!model) return model.status();
  auto request = pot::chainRequest(chain, modelId);
  if (!request) return request.status();
  auto stages = pot::recordedStages(chain, modelId);
  if (!stages) return stages.status();
  pot::PerStageResult result;
  result.model = modelId;
  if (trainingLoss) {
    result.losses = pot::publishedLosses(modelId, *stages, objects);
    // Before any evaluation: the request's profile may re-exec this process.
    POT_TRY(pot::rerunMissingLosses(**request, *stages, objects, result.losses, argc, argv));
  }
  if (accuracy) {
    auto body = (*request)->envelope().getTrainingRequest().getBody();
    auto s0 = pot::fetchObjectMessage(objects, pot::hashFrom(body.getInitialState()),
                                      pot::schema::Envelope::MODEL_STATE, "S_0");
    if (!s0) return s0.status();
    auto set = pot::loadEvaluationSet(**request, **s0, source, limit, objects);
    if (!set) return set.status();
    result.samples = set->data.size();
    auto rows = pot::evaluateStages(**request, model->registrationHeight, *stages, objects, *set);
    if (!rows) return rows.status();
    result.rows = std::move(*rows);
  } else {
    pot::StageEvaluation first;
    first.height = model->registrationHeight;
    first.stateHash =
        pot::hashFrom((*request)->envelope().getTrainingRequest().getBody().getInitialState());
    result.rows.push_back(first);
    for (const auto& r : *stages) {
      pot::StageEvaluation row;
      row.stage = r.stage;
      row.height = r.height;
      row.stateHash = r.stateHash;
      result.rows.push_back(row);
    }
  }
  if (json) {
    std::cout << pot::perStageJson(result);
  } else {
    std::cout << "stage  height  accuracy  correct/samples  loss"
              << (trainingLoss ? "    training loss" : "") << "\n";
    for (size_t i = 0; i < result.rows.size(); ++i) {
      const auto& r = result.rows[i];
      char line[200];
      if (r.evaluation)
        std::snprintf(line, sizeof line, "%5u  %6llu  %8.4f  %7llu/%-7llu  %.4f", r.stage,
                      static_cast<unsigned long long>(r.height), r.evaluation->accuracy,
                      static_cast<unsigned long long>(r.evaluation->correct),
                      static_cast<unsigned long long>(r.evaluation->samples),
                      r.evaluation->meanLoss);
      else
        std::snprintf(line, sizeof line, "%5u  %6llu  %-37s", r.stage,
                      static_cast<unsigned long long>(r.height), accuracy ? "missing" : "-");
      std::string text = line;
      if (trainingLoss && i >= 1 && i - 1 < result.losses.size()) {
        const auto& l = result.losses[i - 1];
        if (l.mean) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "  %.4f (%s)", *l.mean, pot::lossSourceName(l.source));
          text += buf;
        } else {
          text += "  - (" + l.note + ")";
        }
      }
      std::cout << text << "\n";
    }
  }
  const std::string missing = pot::missingEvaluations(result.rows);
  if (accuracy && !missing.empty()) return pot::Status::io(missing);
  return pot::Status::ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Report the test-set accuracy and mean cross-entropy of a model state, or of every stage "
      "of a model on the chain (--per-stage).",
      "pot-evaluate"};
  std::string statePath, modulePath, requestPath, profile, model;
  bool perStageMode = false, trainingLoss = false, noAccuracy = false;
  pot::ChainArgs chain;
  pot::RepoArgs repo;
  pot::DatasetSource source;
  std::vector<std::string> npy;
  uint64_t limit = 0;
  bool json = false;
  app.add_option("state", statePath, "State file S_i ('-' for stdin)");
  app.add_flag("--per-stage", perStageMode,
               "Evaluate S_0 and every stage of --model the best chain recorded, each state "
               "from the repository, in this one process");
  app.add_option("--model", model, "With --per-stage: the model id (64 hex digits or a file)");
  app.add_flag("--training-loss", trainingLoss,
               "With --per-stage: also each stage's mean training loss, from its published "
               "loss trace, else from a re-run of the stage that gives the header's H(S_i)");
  app.add_flag("--no-accuracy", noAccuracy,
               "With --per-stage --training-loss: the training losses only, no test set");
  chain.add(app, /*clock=*/false);
  repo.add(app);
  app.add_option("--module", modulePath,
                 "TorchScript module file, for a torchscript: architecture");
  app.add_option("--request", requestPath,
                 "The model's training request: its input transform and class names");
  app.add_option("--images", source.images, "IDX image file (default: Fashion-MNIST t10k)");
  app.add_option("--labels", source.labels, "IDX label file (default: Fashion-MNIST t10k)");
  app.add_option("--csv", source.csv, "CSV test set instead of IDX");
  app.add_option("--label-column", source.labelColumn, "CSV label column (0-based; -1 = last)")
      ->capture_default_str();
  app.add_option("--npy", npy, "NumPy test set instead of IDX: SAMPLES.npy LABELS.npy")
      ->expected(2);
  app.add_option("--npz", source.npz, "NumPy .npz test set instead of IDX");
  app.add_option("--npz-keys", source.npzKeys,
                 "The .npz arrays holding samples and labels: X,Y (default: x,y)");
  app.add_option("--limit", limit, "Evaluate only the first N samples (0 = all)");
  app.add_option("--profile", profile, "Run under this compute profile (default: none enforced)");
  app.add_flag("--json", json, "JSON output");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (!npy.empty()) {
      source.npySamples = npy[0];
      source.npyLabels = npy[1];
    }
    if (perStageMode) {
      if (!statePath.empty() || !modulePath.empty() || !requestPath.empty() || !profile.empty())
        return pot::Status::usage(
            "--per-stage takes no state, --module, --request or --profile: "
            "they come from the chain and the repository");
      if (model.empty()) return pot::Status::usage("--per-stage needs the model (--model)");
      auto id = pot::parseHashArg(model, "--model");
      if (!id) return id.status();
      auto objects = repo.source();
      if (!objects) return objects.status();
      auto c = chain.load();
      if (!c) return c.status();
      if (noAccuracy && (!trainingLoss || source.given() || limit != 0))
        return pot::Status::usage("--no-accuracy goes with --training-loss, without a test set");
      return perStage(**c, *id, *objects, source, limit, !noAccuracy, trainingLoss, json, argc,
                      argv);
    }
    if (!model.empty() || repo.given() || !chain.db.empty() || !chain.genesis.empty() ||
        trainingLoss || noAccuracy)
      return pot::Status::usage(
          "--model, --repo, a chain, --training-loss and --no-accuracy go with --per-stage");
    if (statePath.empty()) return pot::Status::usage("give a state file, or --per-stage");
    if (!profile.empty() && statePath == "-") POT_TRY(pot::keepStdinAcrossReexec());
    auto state = pot::readMessage(statePath, pot::schema::Envelope::MODEL_STATE);
    if (!state) return state.status();
    pot::Bytes module;
    if (!modulePath.empty()) {
      auto m = pot::readFile(modulePath, 1ull << 30);
      if (!m) return m.status();
      module = std::move(*m);
    }
    pot::InputTransform transform;
    if (!requestPath.empty()) {
      auto request = pot::readMessage(requestPath, pot::schema::Envelope::TRAINING_REQUEST);
      if (!request) return request.status();
      auto t = pot::readEvaluationTransform(**request, **state, source.given());
      if (!t) return t.status();
      transform = std::move(*t);
    }
    auto data = pot::loadDataset(
        source, std::string(pot::kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz",
        std::string(pot::kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz", &transform.classNames);
    if (!data) return data.status();
    if (!data->classNames.empty() && transform.classNames.empty())
      return pot::Status::malformed(
          requestPath.empty()
              ? "the test set has text labels: give the model's request (--request) for its "
                "class names"
              : "the test set has text labels, the model was trained on class numbers");
    pot::truncateDataset(*data, limit);
    // Evaluation is not consensus-critical; a profile only makes it reproducible.
    if (!profile.empty()) POT_TRY(pot::enforceComputeProfile(profile, argc, argv));
    auto ev = pot::evaluateStateWithTransform(**state, modulePath.empty() ? nullptr : &module,
                                              *data, transform);
    if (!ev) return ev.status();
    if (json) {
      pot::JsonWriter w;
      w.beginObject().field("samples", ev->samples).field("correct", ev->correct);
      w.key("accuracy");
      sixDecimals(w, ev->accuracy);
      w.key("loss");
      sixDecimals(w, ev->meanLoss);
      w.endObject();
      std::cout << w.str() << "\n";
      return pot::Status::ok();
    }
    char text[256];
    std::snprintf(text, sizeof text, "accuracy %.4f (%llu/%llu)\nloss %.4f\n", ev->accuracy,
                  static_cast<unsigned long long>(ev->correct),
                  static_cast<unsigned long long>(ev->samples), ev->meanLoss);
    std::cout << text;
    return pot::Status::ok();
  });
}
