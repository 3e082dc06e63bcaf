// The per-stage evaluation as JSON: what `pot-evaluate --per-stage --json` writes and pot-report
// reads back (pot-report starts no libtorch of its own; docs/protocol.md has no part in this).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libcommon/train/stage_evaluation.h"
#include "libcommon/train/stage_losses.h"

namespace pot {

struct PerStageResult {
  Hash256 model;
  uint64_t samples = 0;               // test samples each state was evaluated on
  std::vector<StageEvaluation> rows;  // S_0, then the recorded stages
  std::vector<StageLoss> losses;      // one per recorded stage, when asked for
};

// {"model", "samples", "stages": [{"stage", "height", "stateHash", and
// "correct", "accuracy", "loss" (six decimals) for an evaluated state, or
// "missing" for one that could not be; with losses, for stages >= 1,
// "trainingLoss" and "trainingLossFrom" ("trace" or "re-run"), or
// "trainingLossNote" saying why there is none}]}. Rows without evaluation
// and without `missing` (--no-accuracy) carry neither.
std::string perStageJson(const PerStageResult& result);

// The document back; malformed (3) for anything perStageJson does not write.
Result<PerStageResult> readPerStageJson(std::string_view text);

}  // namespace pot
