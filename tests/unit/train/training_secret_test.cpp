// The training secret's chaining and the per-stage seed, without libtorch (DESIGN 4.1, 4.2).
#include "libcommon/train/training_secret.h"

#include <gtest/gtest.h>

#include <cstring>

#include "libcommon/train/stage_audit.h"

namespace {

TEST(TrainingSecret, ChainsLittleEndianLossesAsDesign42Says) {
  std::vector<float> losses = {1.0f, 0.5f};
  uint32_t b1, b2;
  std::memcpy(&b1, &losses[0], 4);
  std::memcpy(&b2, &losses[1], 4);
  pot::Hash256 h1 = pot::Sha256().updateU32(b1).finish();
  pot::Hash256 h2 = pot::Sha256().updateU32(b2).update(h1).finish();
  EXPECT_EQ(pot::trainingSecret(losses), h2);
  // 1.0f is 0x3f800000: little-endian bytes 00 00 80 3f.
  const uint8_t le[4] = {0, 0, 0x80, 0x3f};
  EXPECT_EQ(pot::trainingSecret({1.0f}), pot::sha256(le, 4));
  EXPECT_NE(pot::trainingSecret({1.0f, 0.5f}), pot::trainingSecret({0.5f, 1.0f}));
}

TEST(TrainingSecret, FirstDivergingSample) {
  EXPECT_EQ(pot::firstDivergingSample({1, 2, 3}, {1, 2, 3}), std::nullopt);
  EXPECT_EQ(pot::firstDivergingSample({1, 2, 3}, {1, 2.5f, 3}), 1u);
  EXPECT_EQ(pot::firstDivergingSample({1, 2, 3}, {1, 2}), 2u);
  EXPECT_EQ(pot::firstDivergingSample({0.0f}, {-0.0f}), 0u);  // bits, not values
  EXPECT_NE(pot::stageSeed(1, 1), pot::stageSeed(1, 2));
}

}  // namespace
