// Training losses per stage from the published traces (no training here: stage_rerun_losses.cpp).
#include "libcommon/train/stage_losses.h"

#include "libcommon/core/data_field.h"
#include "libcommon/train/export_chain.h"

namespace pot {
std::vector<StageLoss> publishedLosses(const Hash256& modelId,
                                       const std::vector<RecordedStage>& stages,
                                       const ObjectSource& objects) {
  std::vector<StageLoss> out;
  for (const RecordedStage& r : stages) {
    StageLoss l;
    l.stage = r.stage;
    if (!r.lossTraceHash) {
      l.note = "no loss trace published";
    } else {
      auto t = fetchObjectMessage(objects, *r.lossTraceHash, schema::Envelope::LOSS_TRACE,
                                  "loss trace of stage " + std::to_string(r.stage));
      if (!t) {
        l.note = t.status().message();
      } else {
        auto trace = (*t)->envelope().getLossTrace();
        if (trace.getStage() != r.stage || trace.getModelId().size() != 32 ||
            hashFrom(trace.getModelId()) != modelId) {
          l.note = "the loss trace names another model or stage";
        } else if (trace.getLosses().size() == 0) {
          l.note = "the loss trace is empty";
        } else {
          std::vector<float> losses;
          for (float x : trace.getLosses()) losses.push_back(x);
          l.mean = meanLoss(losses);
          l.source = LossSource::kTrace;
        }
      }
    }
    out.push_back(l);
  }
  return out;
}

bool anyLossMissing(const std::vector<StageLoss>& losses) {
  for (const auto& l : losses)
    if (!l.mean) return true;
  return false;
}

}  // namespace pot
