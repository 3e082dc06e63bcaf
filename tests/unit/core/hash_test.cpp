// SHA-256 known-answer vectors (FIPS 180-2) and hex round trips.
#include "libcommon/core/hash.h"

#include <gtest/gtest.h>

using pot::sha256;

TEST(Sha256, EmptyString) {
  EXPECT_EQ(sha256("").hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Abc) {
  EXPECT_EQ(sha256("abc").hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, TwoBlockMessage) {
  EXPECT_EQ(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, IncrementalEqualsOneShot) {
  pot::Sha256 h;
  h.update("ab").update("c");
  EXPECT_EQ(h.finish(), sha256("abc"));
}

TEST(Sha256, IntegersAreLittleEndian) {
  pot::Sha256 h;
  h.updateU32(0x04030201u);
  const uint8_t le[] = {1, 2, 3, 4};
  EXPECT_EQ(h.finish(), sha256(le, sizeof le));
  pot::Sha256 h64;
  h64.updateU64(0x0807060504030201ull);
  const uint8_t le64[] = {1, 2, 3, 4, 5, 6, 7, 8};
  EXPECT_EQ(h64.finish(), sha256(le64, sizeof le64));
}

TEST(Hex, RoundTripAndRejects) {
  auto h = sha256("abc");
  auto back = pot::Hash256::fromHex(h.hex());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, h);
  EXPECT_FALSE(pot::Hash256::fromHex("abc"));   // odd length
  EXPECT_FALSE(pot::Hash256::fromHex("zz"));    // not hex
  EXPECT_FALSE(pot::Hash256::fromHex("00ff"));  // wrong size
  EXPECT_EQ(pot::fromHex("00FFa0")->at(1), 0xff);
}

TEST(Hash256, OrderIsBigEndianNumeric) {
  pot::Hash256 a, b;
  a.bytes[0] = 1;     // 2^248
  b.bytes[31] = 255;  // 255
  EXPECT_LT(b, a);
  EXPECT_FALSE(a < b);
}
