// coding.h: the byte order of fixed-width integers on disk, on the wire and in hashes.
#include "libcommon/core/coding.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace pot::coding {
namespace {

TEST(Coding, LittleEndianPutsTheLowByteFirst) {
  uint8_t b[8];
  putLe64(b, 0x0102030405060708ull);
  const uint8_t want[8] = {8, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(0, std::memcmp(b, want, 8));
  EXPECT_EQ(getLe64(b), 0x0102030405060708ull);
  putLe32(b, 0xA1B2C3D4u);
  EXPECT_EQ(b[0], 0xD4);
  EXPECT_EQ(b[3], 0xA1);
  EXPECT_EQ(getLe32(b), 0xA1B2C3D4u);
}

TEST(Coding, BigEndianSortsLikeTheNumber) {
  uint8_t a[8], b[8];
  putBe64(a, 255);
  putBe64(b, 256);
  EXPECT_LT(std::memcmp(a, b, 8), 0);  // LMDB compares keys bytewise
  EXPECT_EQ(getBe64(b), 256u);
  const uint8_t idx[4] = {0, 0, 8, 3};
  EXPECT_EQ(getBe32(idx), 0x00000803u);
}

TEST(Coding, AppendGrowsTheBuffer) {
  std::vector<uint8_t> out{0xff};
  appendLe32(out, 1);
  appendLe64(out, 2);
  ASSERT_EQ(out.size(), 13u);
  EXPECT_EQ(out[1], 1);
  EXPECT_EQ(getLe64(out.data() + 5), 2u);
}

}  // namespace
}  // namespace pot::coding
