// Follow-the-coin: exact modulo, deterministic draws in proportion to stake, escrows never drawn.
#include "libcommon/consensus/poa.h"

#include <gtest/gtest.h>

#include <map>

namespace pot {
namespace {

TEST(ReduceModulo, MatchesSmallCases) {
  Hash256 r;
  r.bytes[31] = 200;
  EXPECT_EQ(reduceModulo(r, 7), 200u % 7);
  r.bytes[30] = 1;  // 256 + 200
  EXPECT_EQ(reduceModulo(r, 1000), 456u);
  Hash256 max;
  max.bytes.fill(0xff);
  // 2^256 - 1 = (2^64)^4 - 1 = 0 - 1 mod (2^64 - 1) ... and mod 2^32: all ones.
  EXPECT_EQ(reduceModulo(max, 1ull << 32), 0xffffffffu);
  EXPECT_EQ(reduceModulo(max, UINT64_MAX), 0u);
  EXPECT_EQ(reduceModulo(max, 1), 0u);
}

TEST(FollowTheCoin, DeterministicAndProportionalToStake) {
  MemoryLedger l;
  const PublicKey big = sha256("big"), small = sha256("small");
  ASSERT_TRUE(l.putAccount(big, {3000, 0, 0}));
  ASSERT_TRUE(l.putAccount(small, {1000, 0, 0}));
  ASSERT_TRUE(l.setTotalSupply(4000));
  std::map<PublicKey, int> count;
  for (int i = 0; i < 1000; ++i) {
    auto drawn = followTheCoin(l, sha256("header " + std::to_string(i)), 4);
    ASSERT_TRUE(drawn);
    ASSERT_EQ(drawn->size(), 4u);
    for (const auto& k : *drawn) count[k]++;
    EXPECT_EQ(*drawn, *followTheCoin(l, sha256("header " + std::to_string(i)), 4));
  }
  // 4000 draws, 3/4 expected for `big`: 3000 +- 5 sigma (sigma ~ 27).
  EXPECT_NEAR(count[big], 3000, 140);
  EXPECT_EQ(count[big] + count[small], 4000);
}

TEST(FollowTheCoin, EscrowsAreNeverDrawn) {
  MemoryLedger l;
  ModelRecord m;
  m.modelId = sha256("model");
  m.escrow = escrowAddress(m.modelId);
  m.stagesTotal = 1;
  ASSERT_TRUE(l.putModel(m));
  const PublicKey k = sha256("key");
  ASSERT_TRUE(l.putAccount(m.escrow, {1000000, 0, 0}));
  ASSERT_TRUE(l.putAccount(k, {1, 0, 0}));
  for (int i = 0; i < 50; ++i) {
    auto drawn = followTheCoin(l, sha256(std::to_string(i)), 3);
    ASSERT_TRUE(drawn);
    for (const auto& d : *drawn) EXPECT_EQ(d, k);
  }
}

TEST(FollowTheCoin, NoCoinsNoStakeholders) {
  MemoryLedger l;
  EXPECT_FALSE(followTheCoin(l, sha256("h"), 3));
}

}  // namespace
}  // namespace pot
