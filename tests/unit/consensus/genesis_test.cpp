// Genesis files: round trip, derived targets, and refusal of bad parameters.
#include "libcommon/consensus/genesis.h"

#include <gtest/gtest.h>

#include "consensus_fixture.h"

namespace pot {
namespace {

GenesisOptions options() {
  GenesisOptions o;
  o.params = defaultChainParams();
  o.allocations = {{sha256("a"), 600}, {sha256("b"), 400}};
  o.timestamp = 1700000000;
  return o;
}

TEST(Genesis, RoundTripAndSeed) {
  auto bytes = makeGenesis(options());
  ASSERT_TRUE(bytes) << bytes.status().message();
  auto m = decodeMessage(*bytes);
  ASSERT_TRUE(m);
  auto g = parseGenesis(std::shared_ptr<const Message>(std::move(*m)));
  ASSERT_TRUE(g) << g.status().message();
  EXPECT_EQ(g->id, sha256(*bytes));
  EXPECT_EQ(g->params.stakeholders, defaultChainParams().stakeholders);
  EXPECT_FALSE(g->dummyModel);
  MemoryLedger l;
  ASSERT_TRUE(initLedger(l, *g));
  EXPECT_EQ(l.totalSupply(), 1000u);
  EXPECT_EQ(l.account(sha256("a"))->ageSince, 1700000000u);
}

TEST(Genesis, DerivedTargetScalesWithSpacing) {
  auto o = options();
  auto a = makeGenesis(o);
  o.params.targetSpacing *= 2;
  auto b = makeGenesis(o);
  ASSERT_TRUE(a && b);
  auto ma = decodeMessage(*a), mb = decodeMessage(*b);
  ASSERT_TRUE(ma && mb);
  auto ga = parseGenesis(std::shared_ptr<const Message>(std::move(*ma)));
  auto gb = parseGenesis(std::shared_ptr<const Message>(std::move(*mb)));
  ASSERT_TRUE(ga && gb);
  EXPECT_TRUE(gb->params.headerBaseTarget < ga->params.headerBaseTarget);
}

TEST(Genesis, BadParametersRefused) {
  auto o = options();
  o.params.rewardSplit = {5000, 5000, 1};
  EXPECT_FALSE(makeGenesis(o));
  o = options();
  o.params.stakeholders = 0;
  EXPECT_FALSE(makeGenesis(o));
  o = options();
  o.params.minDeclarers = 5;
  o.params.maxDeclarers = 4;
  EXPECT_FALSE(makeGenesis(o));
  o = options();
  o.allocations.push_back(o.allocations[0]);
  EXPECT_FALSE(makeGenesis(o));
  o = options();
  o.allocations.clear();
  EXPECT_FALSE(makeGenesis(o));
}

TEST(Genesis, DummyModelAtHeightZero) {
  auto employer = SigningKey::generate();
  ASSERT_TRUE(employer);
  auto o = options();
  o.dummyRequest = testing::makeRequest(*employer, 3, 2, 500, "dummy");
  auto bytes = makeGenesis(o);
  ASSERT_TRUE(bytes) << bytes.status().message();
  auto m = decodeMessage(*bytes);
  ASSERT_TRUE(m);
  auto g = parseGenesis(std::shared_ptr<const Message>(std::move(*m)));
  ASSERT_TRUE(g) << g.status().message();
  ASSERT_TRUE(g->dummyModel);
  EXPECT_EQ(g->dummyModel->anchor, g->id);
  EXPECT_EQ(g->dummyModel->feePerStage, 0u);  // the dummy never pays, whatever its request says
  EXPECT_EQ(g->dummyModel->declarers, 2u);
  EXPECT_EQ(g->dummyModel->stagesTotal, 3u);
  MemoryLedger l;
  ASSERT_TRUE(initLedger(l, *g));
  EXPECT_EQ(modelQueue(l).at(0).modelId, g->dummyModel->modelId);
  // A dummy whose C is outside the chain's bounds is refused.
  o.params.maxDeclarers = 1;
  EXPECT_FALSE(makeGenesis(o));
  // So is one whose signature does not verify.
  o = options();
  auto bad = testing::makeRequest(*employer, 3, 2, 500, "dummy");
  bad[bad.size() - 20] ^= 1;
  o.dummyRequest = bad;
  EXPECT_FALSE(makeGenesis(o));
  // So is a correctly signed dummy no node could train (b = 1): it would
  // head the queue of every idle block forever (DESIGN 5.8).
  o = options();
  o.dummyRequest =
      testing::makeRequest(*employer, 3, 2, 500, "dummy", [](auto b) { b.setMinibatchSize(1); });
  auto refused = makeGenesis(o);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.status().message().find("bad-request-minibatch"), std::string::npos)
      << refused.status().message();
}

}  // namespace
}  // namespace pot
