// The mean training loss of each recorded stage of a model (pot-report): from the loss trace the
// header names when the repository has it, else by re-running the stage as pot-audit does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/model_stages.h"
#include "libcommon/train/audit.h"

namespace pot {

enum class LossSource {
  kNone,   // no published trace, and not re-run (or the re-run did not give the header's state)
  kTrace,  // the published trace: the losses the trainer's own run saw, checked against its hash
  kRerun,  // S_{i-1} and B_i from the repository re-run here, and the run gave the header's H(S_i)
};
// "none", "trace", "re-run".
inline const char* lossSourceName(LossSource source) {
  switch (source) {
    case LossSource::kTrace:
      return "trace";
    case LossSource::kRerun:
      return "re-run";
    case LossSource::kNone:
      break;
  }
  return "none";
}

struct StageLoss {
  uint32_t stage = 0;
  std::optional<double> mean;  // the per-sample losses of the stage, averaged in sample order
  LossSource source = LossSource::kNone;
  std::string note;  // why there is no mean, when there is none
};

// The stages' published traces: each fetched by the header's hash (checked),
// for the model and stage the header names; a stage without one (or whose
// object is missing or wrong) has no mean and says why in `note`. Reads the
// repository only; no training.
std::vector<StageLoss> publishedLosses(const Hash256& modelId,
                                       const std::vector<RecordedStage>& stages,
                                       const ObjectSource& objects);

// The mean of a stage's per-sample losses, summed in sample order (0 for none).
inline double meanLoss(const std::vector<float>& losses) {
  double sum = 0;
  for (float x : losses) sum += x;
  return losses.empty() ? 0 : sum / static_cast<double>(losses.size());
}

// Whether any stage still lacks a mean (so a re-run is needed).
bool anyLossMissing(const std::vector<StageLoss>& losses);

// Fills the stages that lack a mean by re-running them from the repository
// (S_{i-1} by the chain's hash of the stage before, or S_0; B_i; the module),
// under the request's compute profile, which is put into effect first and may
// re-exec the process with argv. A re-run whose H(S_i) is not the header's is
// left without a mean, with a note: its losses are not the chain's. Errors
// only for what stops every re-run (the profile cannot be put into effect).
Status rerunMissingLosses(const Message& request, const std::vector<RecordedStage>& stages,
                          const ObjectSource& objects, std::vector<StageLoss>& losses, int argc,
                          char** argv);

}  // namespace pot
