// pot-evaluate --per-stage: S_0 and every stage of a model the best chain recorded, each state
// from the repository, evaluated in this one process (libtorch starts once), and the text table
// of the result. No torch types here; per_stage_json.h has the JSON form.
#pragma once

#include <string>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/train/audit.h"
#include "libcommon/train/dataset.h"
#include "libcommon/train/per_stage_json.h"

namespace pot {

struct PerStageOptions {
  uint64_t limit = 0;         // the first N test samples (0: all)
  bool accuracy = true;       // false: no test set, the rows carry no evaluation
  bool trainingLoss = false;  // each stage's mean training loss too
};

// The rows (S_0, then the recorded stages); with `trainingLoss` each stage's
// mean training loss from its published trace, else from a checked re-run
// under the request's profile (which may re-exec the process with argv, so
// this runs before anything is printed). A state missing from the repository
// is a row with `missing` set (missingEvaluations() says which), not an error.
Result<PerStageResult> evaluatePerStage(const ChainView& chain, const Hash256& modelId,
                                        const ObjectSource& objects, const DatasetSource& source,
                                        const PerStageOptions& options, int argc, char** argv);

// "stage  height  accuracy  correct/samples  loss[    training loss]" and a
// line per row: "missing" for a row that could not be evaluated, "-" for
// rows without accuracy; losses with their source, or "- (why)".
std::string perStageTable(const PerStageResult& result, const PerStageOptions& options);

}  // namespace pot
