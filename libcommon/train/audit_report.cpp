// pot-audit's stage selection, reports and resume file (no torch).
#include "libcommon/train/audit_report.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "libcommon/core/fileio.h"
#include "libcommon/core/json_reader.h"

namespace pot {

const char* auditVerdictName(AuditVerdict verdict) {
  switch (verdict) {
    case AuditVerdict::kOk:
      return "ok";
    case AuditVerdict::kMismatch:
      return "mismatch";
    case AuditVerdict::kMissing:
      return "missing";
  }
  return "?";
}

Status checkAuditOptions(const AuditOptions& o) {
  if (o.jobs == 0) return Status::usage("--jobs must be at least 1");
  if (o.sample.has_value() != o.seed.has_value())
    return Status::usage("--sample F and --seed S go together");
  if (o.sample && !(*o.sample > 0 && *o.sample <= 1))
    return Status::usage("--sample: the fraction must be in (0, 1]");
  return Status::ok();
}

std::vector<RecordedStage> stagesToAudit(const std::vector<RecordedStage>& onChain,
                                         const AuditOptions& o) {
  std::vector<RecordedStage> inRange;
  for (const auto& r : onChain)
    if (!o.stages || (r.stage >= o.stages->first && r.stage <= o.stages->last))
      inRange.push_back(r);
  if (!o.sample) return inRange;
  std::vector<uint32_t> numbers;
  for (const auto& r : inRange) numbers.push_back(r.stage);
  auto picked = sampleStages(numbers, *o.sample, *o.seed);
  std::set<uint32_t> chosen(picked.begin(), picked.end());
  std::vector<RecordedStage> out;
  for (const auto& r : inRange)
    if (chosen.count(r.stage)) out.push_back(r);
  return out;
}

std::string stageAuditLine(const StageAudit& a) {
  std::string line = "stage " + std::to_string(a.recorded.stage) + " height " +
                     std::to_string(a.recorded.height) + " block " + a.recorded.block.hex() + " " +
                     auditVerdictName(a.verdict);
  if (!a.detail.empty()) line += ": " + a.detail;
  if (a.resumed) line += " (resumed)";
  return line;
}

void writeStageAuditJson(JsonWriter& j, const StageAudit& a) {
  j.beginObject();
  j.field("height", a.recorded.height);
  j.field("stage", a.recorded.stage);
  j.field("block", a.recorded.block.hex());
  j.field("rho", a.recorded.rho.hex());
  j.field("stateHash", a.recorded.stateHash.hex());
  if (a.recorded.lossTraceHash) j.field("lossTraceHash", a.recorded.lossTraceHash->hex());
  j.field("verdict", auditVerdictName(a.verdict));
  if (!a.detail.empty()) j.field("detail", a.detail);
  if (a.rho) j.field("recomputedRho", a.rho->hex());
  if (a.stateHash) j.field("recomputedStateHash", a.stateHash->hex());
  if (a.divergingSample) j.field("divergingSample", *a.divergingSample);
  if (a.divergingDatasetIndex) j.field("divergingDatasetIndex", *a.divergingDatasetIndex);
  j.field("seconds", a.seconds);
  j.field("resumed", a.resumed);
  j.endObject();
}

AuditSummary summarize(const std::vector<StageAudit>& audits) {
  AuditSummary s;
  for (const auto& a : audits) {
    ++s.checked;
    if (a.verdict == AuditVerdict::kOk) ++s.ok;
    if (a.verdict == AuditVerdict::kMismatch) ++s.mismatched;
    if (a.verdict == AuditVerdict::kMissing) ++s.missing;
    if (a.resumed) ++s.resumed;
    s.computeSeconds += a.seconds;
  }
  return s;
}

std::string auditSummaryLine(const AuditSummary& s) {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", s.computeSeconds);
  return "audited " + std::to_string(s.checked) + " stages: " + std::to_string(s.ok) + " ok, " +
         std::to_string(s.mismatched) + " mismatched, " + std::to_string(s.missing) +
         " missing objects (" + std::to_string(s.resumed) + " resumed); compute " + seconds + " s";
}

std::string auditJson(const Hash256& modelId, const std::vector<StageAudit>& audits) {
  const AuditSummary s = summarize(audits);
  JsonWriter j;
  j.beginObject().field("model", modelId.hex()).key("stages").beginArray();
  for (const auto& a : audits) writeStageAuditJson(j, a);
  j.endArray();
  j.field("checked", s.checked).field("ok", s.ok).field("mismatched", s.mismatched);
  j.field("missing", s.missing).field("resumed", s.resumed);
  j.field("computeSeconds", s.computeSeconds).endObject();
  return j.str();
}

namespace {

std::optional<Hash256> hashMember(const JsonDocument& d, const char* name) {
  auto text = d.string(name);
  if (!text) return std::nullopt;
  return Hash256::fromHex(*text);
}

}  // namespace

Result<std::map<uint32_t, StageAudit>> readAuditResume(const std::string& path,
                                                       const Hash256& modelId) {
  std::map<uint32_t, StageAudit> out;
  auto bytes = readFile(path, 64ull << 20);
  // No file yet: nothing is done. Any other read failure is the caller's to see.
  if (!bytes) {
    if (::access(path.c_str(), F_OK) != 0) return out;
    return bytes.status();
  }
  const std::string what = "resume file '" + path + "'";
  auto doc = JsonDocument::parse(std::string(bytes->begin(), bytes->end()));
  if (!doc) return doc.status().withContext(what);
  auto model = hashMember(*doc, "model");
  if (!model) return Status::malformed(what + " names no model");
  if (*model != modelId)
    return Status::malformed(what + " is of model " + model->hex() + ", not " + modelId.hex());
  auto stages = doc->object("stages");
  if (!stages) return Status::malformed(what + " has no \"stages\" object");
  for (const std::string& key : stages->keys()) {
    auto s = stages->object(key);
    if (!s) return Status::malformed(what + ": stage entry '" + key + "' is not an object");
    StageAudit a;
    a.resumed = true;
    auto block = hashMember(*s, "block");
    auto rho = hashMember(*s, "rho");
    auto state = hashMember(*s, "stateHash");
    auto height = s->uint("height");
    auto stage = s->uint("stage");
    auto verdict = s->string("verdict");
    if (!block || !rho || !state || !height || !stage || !verdict || key != std::to_string(*stage))
      return Status::malformed(what + ": stage entry '" + key + "' is incomplete");
    a.recorded.block = *block;
    a.recorded.rho = *rho;
    a.recorded.stateHash = *state;
    a.recorded.height = *height;
    a.recorded.stage = static_cast<uint32_t>(*stage);
    a.recorded.lossTraceHash = hashMember(*s, "lossTraceHash");
    if (*verdict == "ok")
      a.verdict = AuditVerdict::kOk;
    else if (*verdict == "mismatch")
      a.verdict = AuditVerdict::kMismatch;
    else if (*verdict == "missing")
      a.verdict = AuditVerdict::kMissing;
    else
      return Status::malformed(what + ": unknown verdict '" + *verdict + "'");
    a.detail = s->string("detail").value_or("");
    a.rho = hashMember(*s, "recomputedRho");
    a.stateHash = hashMember(*s, "recomputedStateHash");
    a.divergingSample = s->uint("divergingSample");
    a.divergingDatasetIndex = s->uint("divergingDatasetIndex");
    a.seconds = s->number("seconds").value_or(0);
    out[a.recorded.stage] = a;
  }
  return out;
}

Status writeAuditResume(const std::string& path, const Hash256& modelId,
                        const std::map<uint32_t, StageAudit>& done) {
  JsonWriter j;
  j.beginObject().field("model", modelId.hex()).key("stages").beginObject();
  for (const auto& [stage, audit] : done) {
    j.key(std::to_string(stage));
    StageAudit plain = audit;
    plain.resumed = false;  // the flag is about this run, not the record
    writeStageAuditJson(j, plain);
  }
  j.endObject().endObject();
  std::string text = j.str() + "\n";
  return writeFileAtomic(path, Bytes(text.begin(), text.end()));
}

}  // namespace pot
