// The auditor's verdict on a re-run stage: recomputed rho, H(S_i) and losses against a
// claim (DESIGN 4.8), and the reports pot-train-stage prints for a run and a check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot {

// Index of the first sample whose loss bits differ, or nullopt if the traces
// agree (a shorter trace diverges where it ends).
std::optional<size_t> firstDivergingSample(const std::vector<float>& a,
                                           const std::vector<float>& b);

// What a trainer claims for a stage: from --expect-rho/--expect-state, a
// BlockHeader, and a published LossTrace. An absent part is not compared.
struct StageClaim {
  std::optional<Hash256> rho;
  std::optional<Hash256> stateHash;
  std::optional<std::vector<float>> losses;
};

// What this node recomputed for the stage.
struct StageRecomputed {
  Hash256 rho;
  Hash256 stateHash;
  std::vector<float> losses;
};

struct StageVerdict {
  bool rhoMatch = true;
  bool stateMatch = true;
  // Given a claimed trace: where it first differs (an empty trace matches
  // nothing, so it diverges at sample 0).
  std::optional<size_t> firstDivergingSample;
  // The diverging sample, its dataset index and both losses, for a person.
  std::string divergence;
  bool match() const { return rhoMatch && stateMatch && !firstDivergingSample; }
};

// Compares `recomputed` with `claim`. `sourceIndices` is the batch's
// provenance (dataset index per sample), used only to name the sample.
StageVerdict judgeStage(const StageRecomputed& recomputed, const StageClaim& claim,
                        const std::vector<uint32_t>& sourceIndices);

// ok for a match; invalid (1) naming what differs for a mismatch.
Status stageVerdictStatus(uint32_t stage, const StageVerdict& verdict);

// A run's report: "rho HEX\nstate HEX\n", or one JSON line
// {"stage", "rho", "stateHash", "samples"}.
std::string stageRunReport(uint32_t stage, const StageRecomputed& recomputed, bool json);

// A check's report: "match\n" or "mismatch\n", or one JSON line {"stage",
// "match", "rho", "rhoMatch", "stateHash", "stateMatch"[, "firstDivergingSample"]}.
std::string stageCheckReport(uint32_t stage, const StageRecomputed& recomputed,
                             const StageVerdict& verdict, bool json);

}  // namespace pot
