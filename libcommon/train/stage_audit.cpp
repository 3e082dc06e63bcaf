// The auditor's verdict on a re-run stage, and pot-train-stage's run and check reports.
#include "libcommon/train/stage_audit.h"

#include <algorithm>
#include <cstring>
#include <sstream>

#include "libcommon/core/json_writer.h"

namespace pot {

std::optional<size_t> firstDivergingSample(const std::vector<float>& a,
                                           const std::vector<float>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i)
    if (std::memcmp(&a[i], &b[i], 4) != 0) return i;
  if (a.size() != b.size()) return n;
  return std::nullopt;
}

StageVerdict judgeStage(const StageRecomputed& recomputed, const StageClaim& claim,
                        const std::vector<uint32_t>& sourceIndices) {
  StageVerdict v;
  v.rhoMatch = !claim.rho || *claim.rho == recomputed.rho;
  v.stateMatch = !claim.stateHash || *claim.stateHash == recomputed.stateHash;
  if (!claim.losses) return v;
  const std::vector<float>& claimed = *claim.losses;
  v.firstDivergingSample = firstDivergingSample(recomputed.losses, claimed);
  if (!v.firstDivergingSample) return v;
  size_t first = *v.firstDivergingSample;
  std::ostringstream d;
  d << "first diverging sample " << first;
  if (first < sourceIndices.size()) d << " (dataset index " << sourceIndices[first] << ")";
  if (first < recomputed.losses.size() && first < claimed.size())
    d << ": loss " << recomputed.losses[first] << " recomputed, " << claimed[first] << " claimed";
  v.divergence = d.str();
  return v;
}

Status stageVerdictStatus(uint32_t stage, const StageVerdict& verdict) {
  if (verdict.match()) return Status::ok();
  std::string what = !verdict.rhoMatch && !verdict.stateMatch ? "rho and state hash differ"
                     : !verdict.rhoMatch                      ? "rho differs"
                     : !verdict.stateMatch                    ? "state hash differs"
                                                              : "the loss trace differs";
  return Status::invalid("stage " + std::to_string(stage) + ": " + what +
                         (verdict.divergence.empty() ? "" : "; " + verdict.divergence));
}

std::string stageRunReport(uint32_t stage, const StageRecomputed& recomputed, bool json) {
  if (!json) return "rho " + recomputed.rho.hex() + "\nstate " + recomputed.stateHash.hex() + "\n";
  JsonWriter w;
  w.beginObject()
      .field("stage", stage)
      .field("rho", recomputed.rho.hex())
      .field("stateHash", recomputed.stateHash.hex())
      .field("samples", recomputed.losses.size())
      .endObject();
  return w.str() + "\n";
}

std::string stageCheckReport(uint32_t stage, const StageRecomputed& recomputed,
                             const StageVerdict& verdict, bool json) {
  if (!json) return verdict.match() ? "match\n" : "mismatch\n";
  JsonWriter w;
  w.beginObject()
      .field("stage", stage)
      .field("match", verdict.match())
      .field("rho", recomputed.rho.hex())
      .field("rhoMatch", verdict.rhoMatch)
      .field("stateHash", recomputed.stateHash.hex())
      .field("stateMatch", verdict.stateMatch);
  if (verdict.firstDivergingSample) w.field("firstDivergingSample", *verdict.firstDivergingSample);
  w.endObject();
  return w.str() + "\n";
}

}  // namespace pot
