// Per-stage evaluation: states fetched by their recorded hashes, evaluated in one process.
#include "libcommon/train/stage_evaluation.h"

#include "libcommon/core/data_field.h"
#include "libcommon/train/export_chain.h"

namespace pot {

Result<EvaluationSet> loadEvaluationSet(const Message& request, const Message& initialState,
                                        const DatasetSource& source, uint64_t limit,
                                        const ObjectSource& objects) {
  EvaluationSet set;
  auto transform = readEvaluationTransform(request, initialState, source.given());
  if (!transform) return transform.status();
  set.transform = std::move(*transform);
  auto data = loadDataset(source, std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz",
                          std::string(kFashionMnistDir) + "/t10k-labels-idx1-ubyte.gz",
                          &set.transform.classNames);
  if (!data) return data.status();
  if (!data->classNames.empty() && set.transform.classNames.empty())
    return Status::malformed("the test set has text labels, the model was trained on class numbers");
  set.data = std::move(*data);
  truncateDataset(set.data, limit);
  auto arch = request.envelope().getTrainingRequest().getBody().getArchitecture();
  if (arch.isTorchScript()) {
    const Hash256 h = hashFrom(arch.getTorchScript());
    auto m = objects(h);
    if (!m) return m.status().withContext("the model's TorchScript module " + h.hex());
    if (sha256(*m) != h)
      return Status::invalid("the model's TorchScript module " + h.hex() +
                             ": the object does not match its hash");
    set.module = std::move(*m);
    set.hasModule = true;
  }
  return set;
}

Result<std::vector<StageEvaluation>> evaluateStages(
    const Message& request, uint64_t registrationHeight, const std::vector<RecordedStage>& stages,
    const ObjectSource& objects, const EvaluationSet& set,
    const std::function<void(size_t, size_t)>& progress) {
  std::vector<StageEvaluation> rows;
  StageEvaluation first;
  first.height = registrationHeight;
  first.stateHash = hashFrom(request.envelope().getTrainingRequest().getBody().getInitialState());
  rows.push_back(first);
  for (const RecordedStage& r : stages) {
    StageEvaluation row;
    row.stage = r.stage;
    row.height = r.height;
    row.stateHash = r.stateHash;
    rows.push_back(row);
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    StageEvaluation& row = rows[i];
    auto state = fetchObjectMessage(objects, row.stateHash, schema::Envelope::MODEL_STATE,
                                    "S_" + std::to_string(row.stage));
    if (!state) {
      row.missing = state.status().message();
    } else {
      auto ev = evaluateStateWithTransform(**state, set.hasModule ? &set.module : nullptr,
                                           set.data, set.transform);
      if (!ev) return ev.status().withContext("S_" + std::to_string(row.stage));
      row.evaluation = *ev;
    }
    if (progress) progress(i + 1, rows.size());
  }
  return rows;
}

std::string missingEvaluations(const std::vector<StageEvaluation>& rows) {
  size_t missing = 0;
  std::string first;
  for (const auto& r : rows)
    if (!r.evaluation) {
      if (missing++ == 0) first = r.missing;
    }
  if (missing == 0) return "";
  return std::to_string(missing) + " of " + std::to_string(rows.size()) +
         " stage states could not be evaluated, the first: " + first;
}

}  // namespace pot
