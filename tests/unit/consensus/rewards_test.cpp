// Rewards: the split, its remainders, halving, and the stage fee's remainder staying in escrow.
#include "libcommon/consensus/rewards.h"

#include <gtest/gtest.h>

namespace pot {
namespace {

using K = schema::PayoutKind;

TEST(Rewards, Halving) {
  ChainParams p = defaultChainParams();
  p.initialBlockReward = 1000;
  p.halvingInterval = 10;
  EXPECT_EQ(blockReward(p, 1), 1000u);
  EXPECT_EQ(blockReward(p, 10), 500u);
  EXPECT_EQ(blockReward(p, 25), 250u);
  EXPECT_EQ(blockReward(p, 10 * 70), 0u);
  p.halvingInterval = 0;
  EXPECT_EQ(blockReward(p, 1000000), 1000u);
}

TEST(Rewards, SplitAndRemainders) {
  ChainParams p = defaultChainParams();
  p.initialBlockReward = 1003;
  p.rewardSplit = {4000, 2000, 4000};
  CoinbaseInputs in;
  in.height = 1;
  in.headerBuilder = sha256("builder");
  in.wrapper = sha256("wrapper");
  in.signers = {sha256("s1"), sha256("s2"), sha256("s3")};
  in.declarers = {sha256("d1"), sha256("d2")};
  in.escrowBalance = 1000;
  in.feePerStage = 101;
  in.transactionFees = 7;
  auto cb = computeCoinbase(p, in);
  ASSERT_EQ(cb.size(), 8u);
  // wrapper 1003*0.2 = 200; signers floor(401/3) = 133 each; builder the rest.
  EXPECT_EQ(cb[0], (Payout{in.headerBuilder, 1003 - 200 - 3 * 133, K::HEADER_BUILDER}));
  EXPECT_EQ(cb[1], (Payout{in.wrapper, 200, K::WRAPPER}));
  EXPECT_EQ(cb[2], (Payout{in.signers[0], 133, K::STAKEHOLDER}));
  EXPECT_EQ(cb[4], (Payout{in.signers[2], 133, K::STAKEHOLDER}));
  EXPECT_EQ(cb[5], (Payout{in.declarers[0], 50, K::STAGE_FEE}));  // 101 / 2, 1 unit stays
  EXPECT_EQ(cb[6], (Payout{in.declarers[1], 50, K::STAGE_FEE}));
  EXPECT_EQ(cb[7], (Payout{in.wrapper, 7, K::TRANSACTION_FEES}));
  uint64_t minted = 0;
  for (const auto& x : cb)
    if (x.kind != K::STAGE_FEE && x.kind != K::TRANSACTION_FEES) minted += x.amount;
  EXPECT_EQ(minted, 1003u);
}

TEST(Rewards, StageFeeLimitedByEscrowAndZeroesLeftOut) {
  ChainParams p = defaultChainParams();
  p.initialBlockReward = 0;
  CoinbaseInputs in;
  in.declarers = {sha256("d1"), sha256("d2"), sha256("d3")};
  in.feePerStage = 1000;
  in.escrowBalance = 10;
  auto cb = computeCoinbase(p, in);
  ASSERT_EQ(cb.size(), 3u);
  for (const auto& x : cb) EXPECT_EQ(x.amount, 3u);
  in.escrowBalance = 0;
  EXPECT_TRUE(computeCoinbase(p, in).empty());
}

TEST(Rewards, SingleStakeholderLeavesTheShareToTheBuilder) {
  ChainParams p = defaultChainParams();
  p.initialBlockReward = 100;
  p.rewardSplit = {4000, 2000, 4000};
  CoinbaseInputs in;
  in.headerBuilder = sha256("b");
  in.wrapper = sha256("w");
  auto cb = computeCoinbase(p, in);
  ASSERT_EQ(cb.size(), 2u);
  EXPECT_EQ(cb[0].amount, 80u);
  EXPECT_EQ(cb[1].amount, 20u);
}

}  // namespace
}  // namespace pot
