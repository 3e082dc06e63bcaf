// The model report on a real chain (the consensus fixture's blocks): stages, rows, fees, the
// page's title and plots, and losses and evaluations placed by stage.
#include "libcommon/tool/model_report.h"

#include "../consensus/consensus_fixture.h"

namespace pot::testing {
namespace {

class ModelReportTest : public ConsensusFixture {
 protected:
  void SetUp() override {
    ConsensusFixture::SetUp();
    ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  }
};

TEST_F(ModelReportTest, TheModelsBlocksBecomeItsStages) {
  ReportNames names;
  names.keys[nodes[0].publicKey()] = "node1";
  auto r = readModelReport(*chain, modelId, names);
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(r->stages.size(), 1u);
  const ReportStage& s = r->stages[0];
  EXPECT_EQ(s.recorded.stage, 1u);
  EXPECT_EQ(s.recorded.height, 2u);
  EXPECT_EQ(s.recorded.stateHash, stateFor(modelId, 1));
  EXPECT_EQ(s.timestamp, chain->tip().timestamp);
  EXPECT_EQ(s.row.declarers.size(), 2u);
  ASSERT_EQ(s.row.stakeholders.size(), 3u);
  EXPECT_EQ(s.row.stakeholders.back(), "node1");  // round 2's wrapper
  EXPECT_EQ(r->feePerStage, 10 * kCoin + 1);
  EXPECT_EQ(r->registrationHeight, 1u);
  EXPECT_EQ(r->tipHeight, 2u);
  EXPECT_EQ(r->recorded().size(), 1u);

  // The dummy's stage is its own report's, not this one's.
  auto dummy = readModelReport(*chain, dummyId, names);
  ASSERT_TRUE(dummy);
  ASSERT_EQ(dummy->stages.size(), 1u);
  EXPECT_EQ(dummy->stages[0].recorded.height, 1u);
  EXPECT_TRUE(dummy->isDummy);

  auto none = readModelReport(*chain, tagged("no such model"), names);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().code(), ExitCode::kInvalid);
}

TEST_F(ModelReportTest, LossesAndEvaluationsGoToTheirStages) {
  auto r = readModelReport(*chain, modelId, ReportNames{});
  ASSERT_TRUE(r);
  StageLoss l;
  l.stage = 1;
  l.mean = 0.6931;
  l.source = LossSource::kTrace;
  addLosses(*r, {l});
  Evaluation e0, e1;
  e0.accuracy = 0.1;
  e1.accuracy = 0.625;
  e1.meanLoss = 0.5;
  StageEvaluation s0, s1;
  s0.evaluation = e0;
  s1.stage = 1;
  s1.evaluation = e1;
  addEvaluations(*r, {s0, s1});
  ASSERT_TRUE(r->initial);
  EXPECT_EQ(r->initial->accuracy, 0.1);
  ASSERT_TRUE(r->stages[0].evaluation);
  EXPECT_EQ(r->stages[0].evaluation->accuracy, 0.625);
  EXPECT_EQ(r->stages[0].loss.mean, 0.6931);

  const std::string html = reportHtml(*r);
  EXPECT_NE(html.find("<title>PoT report: model " + modelId.hex().substr(0, 16) + "</title>"),
            std::string::npos);
  for (const char* id : {"plot-stages", "plot-loss", "plot-accuracy", "plot-rewards"})
    EXPECT_NE(html.find(std::string("<div id=\"") + id + "\">\n<svg"), std::string::npos) << id;
  EXPECT_NE(html.find("<td class=\"n\">0.6931</td><td>trace</td><td class=\"n\">0.6250</td>"),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // xmlns only

  const std::string acc = reportSvg(*r, ReportPlot::kAccuracy);
  EXPECT_NE(acc.find(">accuracy</text>"), std::string::npos);
  EXPECT_EQ(acc.find("no data"), std::string::npos);
  // Without evaluations the accuracy plot says so.
  auto bare = readModelReport(*chain, modelId, ReportNames{});
  ASSERT_TRUE(bare);
  EXPECT_NE(reportSvg(*bare, ReportPlot::kAccuracy).find("no data"), std::string::npos);
  EXPECT_NE(reportSvg(*bare, ReportPlot::kRewards).find("<rect class=\"bar\""),
            std::string::npos);
}

TEST(ReportPlotNames, OnlyTheFourKinds) {
  EXPECT_TRUE(parseReportPlot("loss"));
  EXPECT_TRUE(parseReportPlot("stages"));
  auto bad = parseReportPlot("pie");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), ExitCode::kUsage);
}

}  // namespace
}  // namespace pot::testing
