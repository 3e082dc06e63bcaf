// pot-audit's options, stage selection, report lines and JSON, and the resume file.
#include "libcommon/train/audit_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "libcommon/core/json_reader.h"

namespace pot {
namespace {

RecordedStage recorded(uint32_t stage) {
  RecordedStage r;
  r.stage = stage;
  r.height = stage + 10;
  r.block = sha256("block" + std::to_string(stage));
  r.rho = sha256("rho" + std::to_string(stage));
  r.stateHash = sha256("state" + std::to_string(stage));
  return r;
}

std::vector<RecordedStage> chainOf(uint32_t stages) {
  std::vector<RecordedStage> out;
  for (uint32_t s = 1; s <= stages; ++s) out.push_back(recorded(s));
  return out;
}

std::vector<uint32_t> numbers(const std::vector<RecordedStage>& v) {
  std::vector<uint32_t> out;
  for (const auto& r : v) out.push_back(r.stage);
  return out;
}

class TempFile {
 public:
  TempFile() {
    char name[] = "/tmp/audit-resume.XXXXXX";
    int fd = ::mkstemp(name);
    ::close(fd);
    path_ = name;
    std::remove(path_.c_str());
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(AuditOptions, UsageErrors) {
  AuditOptions o;
  EXPECT_TRUE(checkAuditOptions(o));
  o.jobs = 0;
  EXPECT_EQ(checkAuditOptions(o).exitCode(), 2);
  o.jobs = 2;
  o.sample = 0.5;
  EXPECT_EQ(checkAuditOptions(o).exitCode(), 2);  // no seed
  o.seed = 1;
  EXPECT_TRUE(checkAuditOptions(o));
  o.sample = 0;
  EXPECT_EQ(checkAuditOptions(o).exitCode(), 2);
  o.sample = 1.01;
  EXPECT_EQ(checkAuditOptions(o).exitCode(), 2);
}

TEST(StagesToAudit, EveryStageByDefaultThenTheRangeThenTheSample) {
  auto chain = chainOf(12);
  AuditOptions o;
  EXPECT_EQ(stagesToAudit(chain, o).size(), 12u);
  o.stages = StageRange{3, 6};
  EXPECT_EQ(numbers(stagesToAudit(chain, o)), (std::vector<uint32_t>{3, 4, 5, 6}));
  o.sample = 0.5;
  o.seed = 77;
  auto picked = numbers(stagesToAudit(chain, o));
  EXPECT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked, sampleStages({3, 4, 5, 6}, 0.5, 77));
  EXPECT_EQ(numbers(stagesToAudit(chain, o)), picked);
}

TEST(AuditReport, LinesNameTheStageAndVerdict) {
  StageAudit a;
  a.recorded = recorded(4);
  EXPECT_EQ(stageAuditLine(a), "stage 4 height 14 block " + a.recorded.block.hex() + " ok");
  a.verdict = AuditVerdict::kMissing;
  a.detail = "B_4 abc: gone";
  a.resumed = true;
  EXPECT_EQ(stageAuditLine(a), "stage 4 height 14 block " + a.recorded.block.hex() +
                                   " missing: B_4 abc: gone (resumed)");
  AuditSummary s = summarize({a, StageAudit{}});
  EXPECT_EQ(s.checked, 2u);
  EXPECT_EQ(s.ok, 1u);
  EXPECT_EQ(s.missing, 1u);
  EXPECT_EQ(s.resumed, 1u);
  EXPECT_EQ(auditSummaryLine(s),
            "audited 2 stages: 1 ok, 0 mismatched, 1 missing objects (1 resumed); compute 0.00 s");
}

TEST(AuditReport, JsonCountsEachVerdict) {
  StageAudit ok, bad;
  ok.recorded = recorded(1);
  bad.recorded = recorded(2);
  bad.verdict = AuditVerdict::kMismatch;
  bad.divergingSample = 5;
  bad.divergingDatasetIndex = 123;
  auto doc = JsonDocument::parse(auditJson(sha256("m"), {ok, bad}));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->string("model"), sha256("m").hex());
  EXPECT_EQ(doc->uint("checked"), 2u);
  EXPECT_EQ(doc->uint("ok"), 1u);
  EXPECT_EQ(doc->uint("mismatched"), 1u);
  EXPECT_EQ(doc->uint("missing"), 0u);
}

TEST(AuditResume, RoundTripsVerdictsAndMarksThemResumed) {
  TempFile f;
  const Hash256 model = sha256("model");
  auto empty = readAuditResume(f.path(), model);
  ASSERT_TRUE(empty) << empty.status().message();
  EXPECT_TRUE(empty->empty());

  std::map<uint32_t, StageAudit> done;
  StageAudit a;
  a.recorded = recorded(2);
  a.recorded.lossTraceHash = sha256("trace");
  a.verdict = AuditVerdict::kMismatch;
  a.detail = "stage 2: rho differs";
  a.rho = sha256("other rho");
  a.stateHash = a.recorded.stateHash;
  a.divergingSample = 3;
  a.divergingDatasetIndex = 40;
  a.seconds = 1.5;
  done[2] = a;
  StageAudit b;
  b.recorded = recorded(3);
  done[3] = b;
  ASSERT_TRUE(writeAuditResume(f.path(), model, done));

  auto back = readAuditResume(f.path(), model);
  ASSERT_TRUE(back) << back.status().message();
  ASSERT_EQ(back->size(), 2u);
  const StageAudit& r = back->at(2);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.verdict, AuditVerdict::kMismatch);
  EXPECT_EQ(r.detail, a.detail);
  EXPECT_EQ(r.recorded.block, a.recorded.block);
  EXPECT_EQ(r.recorded.height, a.recorded.height);
  EXPECT_EQ(r.recorded.lossTraceHash, a.recorded.lossTraceHash);
  EXPECT_EQ(r.rho, a.rho);
  EXPECT_EQ(r.divergingSample, a.divergingSample);
  EXPECT_EQ(r.divergingDatasetIndex, a.divergingDatasetIndex);
  EXPECT_DOUBLE_EQ(r.seconds, 1.5);
  EXPECT_EQ(back->at(3).verdict, AuditVerdict::kOk);

  // Another model's file is refused, not silently reused.
  auto other = readAuditResume(f.path(), sha256("another"));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.status().exitCode(), 3);
}

TEST(AuditResume, MalformedFilesAreMalformed) {
  TempFile f;
  for (const char* text : {"{\"model\": ", "[]", "{\"model\": \"00\", \"stages\": {}}",
                           "{\"model\": \"" /* filled below */}) {
    std::string body = text;
    if (body == "{\"model\": \"")
      body += sha256("model").hex() + "\", \"stages\": {\"2\": {\"stage\": 3}}}";
    std::ofstream(f.path()) << body;
    auto r = readAuditResume(f.path(), sha256("model"));
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.status().exitCode(), 3) << body;
  }
}

}  // namespace
}  // namespace pot
