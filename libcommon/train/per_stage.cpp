// Every stage of a model evaluated in one process, and its text table.
#include "libcommon/train/per_stage.h"

#include <cstdio>

#include "libcommon/core/data_field.h"
#include "libcommon/core/message_io.h"
#include "libcommon/train/export_chain.h"
#include "libcommon/train/stage_evaluation.h"
#include "libcommon/train/stage_losses.h"

namespace pot {

Result<PerStageResult> evaluatePerStage(const ChainView& chain, const Hash256& modelId,
                                        const ObjectSource& objects, const DatasetSource& source,
                                        const PerStageOptions& options, int argc, char** argv) {
  auto model = chainModel(chain, modelId);
  if (!model) return model.status();
  auto request = chainRequest(chain, modelId);
  if (!request) return request.status();
  auto stages = recordedStages(chain, modelId);
  if (!stages) return stages.status();
  PerStageResult result;
  result.model = modelId;
  if (options.trainingLoss) {
    result.losses = publishedLosses(modelId, *stages, objects);
    // Before any evaluation: the request's profile may re-exec this process.
    POT_TRY(rerunMissingLosses(**request, *stages, objects, result.losses, argc, argv));
  }
  auto body = (*request)->envelope().getTrainingRequest().getBody();
  if (options.accuracy) {
    auto s0 = fetchObjectMessage(objects, hashFrom(body.getInitialState()),
                                 schema::Envelope::MODEL_STATE, "S_0");
    if (!s0) return s0.status();
    auto set = loadEvaluationSet(**request, **s0, source, options.limit, objects);
    if (!set) return set.status();
    result.samples = set->data.size();
    auto rows = evaluateStages(**request, model->registrationHeight, *stages, objects, *set);
    if (!rows) return rows.status();
    result.rows = std::move(*rows);
    return result;
  }
  StageEvaluation first;
  first.height = model->registrationHeight;
  first.stateHash = hashFrom(body.getInitialState());
  result.rows.push_back(first);
  for (const auto& r : *stages) {
    StageEvaluation row;
    row.stage = r.stage;
    row.height = r.height;
    row.stateHash = r.stateHash;
    result.rows.push_back(row);
  }
  return result;
}

std::string perStageTable(const PerStageResult& result, const PerStageOptions& options) {
  std::string out = std::string("stage  height  accuracy  correct/samples  loss") +
                    (options.trainingLoss ? "    training loss" : "") + "\n";
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const auto& r = result.rows[i];
    char line[200];
    if (r.evaluation)
      std::snprintf(line, sizeof line, "%5u  %6llu  %8.4f  %7llu/%-7llu  %.4f", r.stage,
                    static_cast<unsigned long long>(r.height), r.evaluation->accuracy,
                    static_cast<unsigned long long>(r.evaluation->correct),
                    static_cast<unsigned long long>(r.evaluation->samples), r.evaluation->meanLoss);
    else
      std::snprintf(line, sizeof line, "%5u  %6llu  %-37s", r.stage,
                    static_cast<unsigned long long>(r.height), options.accuracy ? "missing" : "-");
    out += line;
    if (options.trainingLoss && i >= 1 && i - 1 < result.losses.size()) {
      const auto& l = result.losses[i - 1];
      if (l.mean) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "  %.4f (%s)", *l.mean, lossSourceName(l.source));
        out += buf;
      } else {
        out += "  - (" + l.note + ")";
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace pot
