// pot-audit's verdicts and reports without torch: which stages to audit, a line and a JSON
// object per stage, the summary, and the resume file (DESIGN 4.8).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/model_stages.h"
#include "libcommon/core/json_writer.h"

namespace pot {

enum class AuditVerdict { kOk, kMismatch, kMissing };
// "ok", "mismatch", "missing": the words of the report and the resume file.
const char* auditVerdictName(AuditVerdict verdict);

// The audit of one recorded stage.
struct StageAudit {
  RecordedStage recorded;
  AuditVerdict verdict = AuditVerdict::kOk;
  std::string detail;  // what differs, or which object is missing; empty when ok
  // The re-run's results (absent when the stage could not be re-run).
  std::optional<Hash256> rho;
  std::optional<Hash256> stateHash;
  // With a published loss trace: the first sample whose loss differs, as an
  // index in the stage and in the dataset (the batch's sourceIndices).
  std::optional<uint64_t> divergingSample;
  std::optional<uint64_t> divergingDatasetIndex;
  double seconds = 0;    // compute time of the re-run
  bool resumed = false;  // taken from the resume file, not re-run now
};

// What the command line asked for (no CLI types).
struct AuditOptions {
  Hash256 modelId;
  std::optional<StageRange> stages;  // --stages A-B
  std::optional<double> sample;      // --sample F, with --seed
  std::optional<uint64_t> seed;
  unsigned jobs = 1;
  bool json = false;
  bool quiet = false;
  std::string resumePath;
};

// Usage errors (2) in the options alone.
Status checkAuditOptions(const AuditOptions& options);

// The recorded stages the options select, in chain order: the range first,
// then the seeded sample of what is left.
std::vector<RecordedStage> stagesToAudit(const std::vector<RecordedStage>& onChain,
                                         const AuditOptions& options);

// "stage 3 height 4 block <hex> ok" or "... mismatch: <detail>" or
// "... missing: <detail>"; " (resumed)" when taken from the resume file.
std::string stageAuditLine(const StageAudit& audit);

// {"height", "stage", "block", "rho", "stateHash", "verdict"[, "detail",
// "recomputedRho", "recomputedStateHash", "divergingSample",
// "divergingDatasetIndex"], "seconds", "resumed"}: rho and stateHash are
// the header's.
void writeStageAuditJson(JsonWriter& json, const StageAudit& audit);

struct AuditSummary {
  size_t checked = 0, ok = 0, mismatched = 0, missing = 0, resumed = 0;
  double computeSeconds = 0;
};
AuditSummary summarize(const std::vector<StageAudit>& audits);
// "audited 4 stages: 3 ok, 1 mismatched, 0 missing objects (1 resumed); compute 2.10 s"
std::string auditSummaryLine(const AuditSummary& summary);
// The whole --json report: {"model", "stages": [...], "checked", "ok",
// "mismatched", "missing", "resumed", "computeSeconds"}.
std::string auditJson(const Hash256& modelId, const std::vector<StageAudit>& audits);

// The resume file: {"model": hex, "stages": {"<stage>": {...}}} holding the
// finished stages' verdicts. An absent file is an empty map; a file of
// another model or malformed JSON is malformed (3).
Result<std::map<uint32_t, StageAudit>> readAuditResume(const std::string& path,
                                                       const Hash256& modelId);
// Written through a temp file and a rename, so an interrupt never leaves half a file.
Status writeAuditResume(const std::string& path, const Hash256& modelId,
                        const std::map<uint32_t, StageAudit>& done);

}  // namespace pot
