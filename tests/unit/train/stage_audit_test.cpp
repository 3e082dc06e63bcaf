// The auditor's verdict and pot-train-stage's reports: every way a claim can differ, and the
// exact bytes scripts read.
#include "libcommon/train/stage_audit.h"

#include <gtest/gtest.h>

namespace {

pot::Hash256 hashOf(const char* text) { return pot::sha256(std::string_view(text)); }

pot::StageRecomputed recomputed() { return {hashOf("rho"), hashOf("state"), {0.5f, 1.25f, 2.0f}}; }

TEST(StageVerdict, NoClaimPartDiffersMeansMatch) {
  pot::StageClaim claim;
  claim.rho = hashOf("rho");
  claim.stateHash = hashOf("state");
  claim.losses = std::vector<float>{0.5f, 1.25f, 2.0f};
  auto v = pot::judgeStage(recomputed(), claim, {});
  EXPECT_TRUE(v.match());
  EXPECT_TRUE(pot::stageVerdictStatus(3, v).isOk());
  // An absent part is not compared.
  EXPECT_TRUE(pot::judgeStage(recomputed(), pot::StageClaim{}, {}).match());
}

TEST(StageVerdict, NamesWhatDiffers) {
  pot::StageClaim claim;
  claim.rho = hashOf("other");
  auto v = pot::judgeStage(recomputed(), claim, {});
  EXPECT_FALSE(v.rhoMatch);
  EXPECT_TRUE(v.stateMatch);
  auto s = pot::stageVerdictStatus(3, v);
  EXPECT_EQ(s.code(), pot::ExitCode::kInvalid);
  EXPECT_EQ(s.message(), "stage 3: rho differs");
  claim.stateHash = hashOf("other");
  EXPECT_EQ(pot::stageVerdictStatus(3, pot::judgeStage(recomputed(), claim, {})).message(),
            "stage 3: rho and state hash differ");
  claim.rho.reset();
  EXPECT_EQ(pot::stageVerdictStatus(3, pot::judgeStage(recomputed(), claim, {})).message(),
            "stage 3: state hash differs");
}

TEST(StageVerdict, TraceNamesTheFirstDivergingSampleAndItsDatasetIndex) {
  pot::StageClaim claim;
  claim.losses = std::vector<float>{0.5f, 1.5f, 2.0f};
  auto v = pot::judgeStage(recomputed(), claim, {40, 41, 42});
  EXPECT_TRUE(v.rhoMatch && v.stateMatch);
  ASSERT_EQ(v.firstDivergingSample, 1u);
  EXPECT_EQ(pot::stageVerdictStatus(2, v).message(),
            "stage 2: the loss trace differs; first diverging sample 1 (dataset index 41): loss "
            "1.25 recomputed, 1.5 claimed");
  // An empty trace matches nothing: it diverges at sample 0, with no losses to show.
  claim.losses = std::vector<float>{};
  v = pot::judgeStage(recomputed(), claim, {});
  ASSERT_EQ(v.firstDivergingSample, 0u);
  EXPECT_EQ(v.divergence, "first diverging sample 0");
}

TEST(StageReports, RunAndCheckOutputKeepTheirBytes) {
  auto r = recomputed();
  std::string rho = r.rho.hex(), state = r.stateHash.hex();
  EXPECT_EQ(pot::stageRunReport(4, r, false), "rho " + rho + "\nstate " + state + "\n");
  EXPECT_EQ(pot::stageRunReport(4, r, true), "{\"stage\": 4, \"rho\": \"" + rho +
                                                 "\", \"stateHash\": \"" + state +
                                                 "\", \"samples\": 3}\n");
  pot::StageClaim claim;
  claim.losses = std::vector<float>{0.5f, 9.0f};
  auto v = pot::judgeStage(r, claim, {});
  EXPECT_EQ(pot::stageCheckReport(4, r, v, false), "mismatch\n");
  EXPECT_EQ(pot::stageCheckReport(4, r, v, true),
            "{\"stage\": 4, \"match\": false, \"rho\": \"" + rho +
                "\", \"rhoMatch\": true, \"stateHash\": \"" + state +
                "\", \"stateMatch\": true, \"firstDivergingSample\": 1}\n");
  auto ok = pot::judgeStage(r, pot::StageClaim{}, {});
  EXPECT_EQ(pot::stageCheckReport(4, r, ok, false), "match\n");
  EXPECT_EQ(pot::stageCheckReport(4, r, ok, true), "{\"stage\": 4, \"match\": true, \"rho\": \"" +
                                                       rho +
                                                       "\", \"rhoMatch\": true, \"stateHash\": \"" +
                                                       state + "\", \"stateMatch\": true}\n");
}

}  // namespace
