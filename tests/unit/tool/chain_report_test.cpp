// The chain report: a real block's row with names, its fixed-width line and JSON, and the verdict.
#include "libcommon/tool/chain_report.h"

#include "../consensus/consensus_fixture.h"
#include "libcommon/core/json_reader.h"

namespace pot::testing {
namespace {

class ChainReport : public ConsensusFixture {
 protected:
  ReportNames names() {
    ReportNames n;
    for (size_t i = 0; i < nodes.size(); ++i)
      n.keys[nodes[i].publicKey()] = "node" + std::to_string(i + 1);
    n.keys[employer->publicKey()] = "employer";  // it holds coins, so it may be drawn
    n.models[modelId] = "employer";
    n.models[dummyId] = "dummy";
    return n;
  }
};

TEST_F(ChainReport, ARowNamesDeclarersStakeholdersAndRewards) {
  auto row = blockRow(*round1.block, names());
  ASSERT_TRUE(row) << row.status().message();
  EXPECT_EQ(row->height, 1u);
  EXPECT_EQ(row->model, "dummy");
  EXPECT_EQ(row->stage, 1u);
  // playRound(dummy, 1, {n1, n2, n3}, builder n4): the header names C = 2.
  ASSERT_EQ(row->declarers.size(), 2u);
  ASSERT_EQ(row->stakeholders.size(), 3u);  // K - 1 signers, then the wrapper
  uint64_t minted = 0;
  for (const auto& [name, amount] : row->rewards) {
    EXPECT_TRUE(name.rfind("node", 0) == 0 || name == "employer") << name;
    minted += amount;
  }
  EXPECT_EQ(minted, 50 * kCoin + 1000 + 500);  // the block reward and both fees
  // Unnamed keys and models show as their first 8 hex digits.
  auto bare = blockRow(*round1.block, ReportNames{});
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->model, dummyId.hex().substr(0, 8));
}

TEST_F(ChainReport, LinesAndJson) {
  BlockRow r;
  r.height = 12;
  r.model = "employer";
  r.stage = 3;
  r.declarers = {"node1", "node2"};
  r.stakeholders = {"node3", "node1", "node4"};
  r.rewards = {{"node2", 50000000}, {"node1", 12345678}};
  EXPECT_EQ(formatRow(r),
            "    12  employer      3  node1,node2          node3,node1,node4             "
            "node1=0.1235 node2=0.5000");
  JsonWriter w;
  writeRow(w, r);
  EXPECT_EQ(w.str(),
            R"({"height": 12, "model": "employer", "stage": 3, "declarers": ["node1", "node2"], )"
            R"("stakeholders": ["node3", "node1", "node4"], )"
            R"("rewards": {"node1": 12345678, "node2": 50000000}})");
  EXPECT_EQ(reportHeading().rfind("height  model", 0), 0u);
}

TEST_F(ChainReport, TheVerdictNeedsTheSameStateAndAgreement) {
  RunOutcome o{tagged("a"), tagged("a"), 0.8125, 0.8125, true};
  EXPECT_TRUE(o.passed());
  EXPECT_NE(formatOutcome(o).find("(identical)"), std::string::npos);
  EXPECT_NE(formatOutcome(o).find("network 0.8125  single-process 0.8125"), std::string::npos);
  o.agree = false;
  EXPECT_FALSE(o.passed());
  EXPECT_NE(formatOutcome(o).find("last stage: NO"), std::string::npos);
  o = {tagged("a"), tagged("b"), 0.5, 0.5, true};
  EXPECT_FALSE(o.passed());
  EXPECT_NE(formatOutcome(o).find("(DIFFERENT)"), std::string::npos);
  auto j = JsonDocument::parse(reportJson({}, &o));
  ASSERT_TRUE(j) << j.status().message();
  EXPECT_EQ(j->boolean("identical"), false);
  EXPECT_EQ(j->number("accuracy"), 0.5);
  EXPECT_EQ(j->string("finalState"), tagged("a").hex());
  auto bare = JsonDocument::parse(reportJson({}, nullptr));
  ASSERT_TRUE(bare);
  EXPECT_FALSE(bare->has("identical"));
}

}  // namespace
}  // namespace pot::testing
