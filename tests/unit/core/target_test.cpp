// 256-bit targets: saturation, comparison, trust.
#include "libcommon/core/target.h"

#include <gtest/gtest.h>

namespace {

TEST(Target, ProductWithoutOverflow) {
  auto t = pot::posTarget(pot::uint256FromU64(1000), 1ull << 40, 1ull << 20);
  // 1000 * 2^60 = 0x3e8 << 60
  pot::Uint256 expected;
  // 2^60 * 1000 = 0x3E80000000000000000 -> bytes from the end
  uint64_t hi = 1000ull >> 4, lo = (1000ull & 15) << 60;
  for (int i = 0; i < 8; ++i) {
    expected.bytes[31 - i] = static_cast<uint8_t>(lo >> (8 * i));
    expected.bytes[23 - i] = static_cast<uint8_t>(hi >> (8 * i));
  }
  EXPECT_EQ(t, expected);
}

TEST(Target, Saturates) {
  pot::Uint256 big;
  big.bytes[0] = 0x80;  // 2^255
  EXPECT_EQ(pot::posTarget(big, 2, 1), pot::uint256Max());
  EXPECT_EQ(pot::posTarget(big, UINT64_MAX, UINT64_MAX), pot::uint256Max());
  EXPECT_EQ(pot::addSaturating(pot::uint256Max(), pot::uint256FromU64(1)), pot::uint256Max());
}

TEST(Target, ZeroWeightMeansOnlyZeroHashPasses) {
  auto t = pot::posTarget(pot::uint256FromU64(12345), 0, 100);
  EXPECT_TRUE(t.isZero());
  pot::Hash256 zero;
  EXPECT_TRUE(pot::meetsTarget(zero, t));
  pot::Hash256 one = pot::uint256FromU64(1);
  EXPECT_FALSE(pot::meetsTarget(one, t));
}

TEST(Target, ComparisonIsInclusive) {
  auto t = pot::uint256FromU64(500);
  EXPECT_TRUE(pot::meetsTarget(pot::uint256FromU64(500), t));
  EXPECT_TRUE(pot::meetsTarget(pot::uint256FromU64(499), t));
  EXPECT_FALSE(pot::meetsTarget(pot::uint256FromU64(501), t));
}

TEST(Target, TrustIsInverseOfTarget) {
  EXPECT_EQ(pot::blockTrust(pot::uint256Max()), pot::uint256FromU64(1));
  pot::Uint256 half;  // 2^255 - 1 -> trust 2
  half.bytes.fill(0xff);
  half.bytes[0] = 0x7f;
  EXPECT_EQ(pot::blockTrust(half), pot::uint256FromU64(2));
  // An easier target (larger) yields less trust.
  EXPECT_LT(pot::blockTrust(pot::uint256FromU64(1ull << 40)),
            pot::blockTrust(pot::uint256FromU64(1ull << 20)));
}

TEST(Target, Division) {
  EXPECT_EQ(pot::divideU64(pot::uint256FromU64(1000), 7), pot::uint256FromU64(142));
}

}  // namespace
