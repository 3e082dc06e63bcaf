// The per-stage JSON pot-evaluate writes and pot-report reads: a round trip, and what it refuses.
#include "libcommon/train/per_stage_json.h"

#include <gtest/gtest.h>

namespace pot::testing {
namespace {

Hash256 h(char c) {
  Hash256 x;
  x.bytes.fill(static_cast<uint8_t>(c));
  return x;
}

TEST(PerStageJson, RoundTrip) {
  PerStageResult r;
  r.model = h(1);
  r.samples = 2000;
  StageEvaluation s0, s1, s2;
  s0.stateHash = h(2);
  Evaluation e;
  e.correct = 250;
  e.samples = 2000;
  e.accuracy = 0.125;
  e.meanLoss = 2.25;
  s0.evaluation = e;
  s1.stage = 1;
  s1.height = 7;
  s1.stateHash = h(3);
  s1.missing = "S_1 abc: not in the repository";
  s2.stage = 2;
  s2.height = 9;
  s2.stateHash = h(4);
  e.correct = 1500;
  e.accuracy = 0.75;
  s2.evaluation = e;
  r.rows = {s0, s1, s2};
  StageLoss l1, l2;
  l1.stage = 1;
  l1.mean = 1.5;
  l1.source = LossSource::kRerun;
  l2.stage = 2;
  l2.note = "no loss trace published";
  r.losses = {l1, l2};
  const std::string text = perStageJson(r);
  auto back = readPerStageJson(text);
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(back->model, h(1));
  EXPECT_EQ(back->samples, 2000u);
  ASSERT_EQ(back->rows.size(), 3u);
  ASSERT_TRUE(back->rows[0].evaluation);
  EXPECT_EQ(back->rows[0].evaluation->correct, 250u);
  EXPECT_EQ(back->rows[0].evaluation->accuracy, 0.125);
  EXPECT_FALSE(back->rows[1].evaluation);
  EXPECT_EQ(back->rows[1].missing, s1.missing);
  EXPECT_EQ(back->rows[1].height, 7u);
  EXPECT_EQ(back->rows[2].stateHash, h(4));
  EXPECT_EQ(back->rows[2].evaluation->accuracy, 0.75);
  ASSERT_EQ(back->losses.size(), 2u);
  EXPECT_EQ(back->losses[0].mean, 1.5);
  EXPECT_EQ(back->losses[0].source, LossSource::kRerun);
  EXPECT_FALSE(back->losses[1].mean);
  EXPECT_EQ(back->losses[1].note, "no loss trace published");
}

TEST(PerStageJson, RefusesWhatItDoesNotWrite) {
  for (const char* bad :
       {"", "[]", R"({"model": "zz", "samples": 1, "stages": []})",
        R"({"model": "0101010101010101010101010101010101010101010101010101010101010101",
            "samples": 1, "stages": [{"stage": 0}]})",
        R"({"model": "0101010101010101010101010101010101010101010101010101010101010101",
            "samples": 1, "stages": [{"stage": 0, "height": 0, "stateHash":
            "0101010101010101010101010101010101010101010101010101010101010101",
            "accuracy": 0.5}]})"}) {
    auto r = readPerStageJson(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.status().code(), ExitCode::kMalformed) << bad;
  }
}

}  // namespace
}  // namespace pot::testing
