// Partition rules: Delta from the chain figures, the per-epoch shuffle, tau of built-in
// architectures.
#include "libcommon/train/partition.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "libcommon/consensus/architecture.h"

namespace {

TEST(Partition, TauOfBuiltinArchitectures) {
  auto mlp = pot::parseBuiltinArchitecture("mlp:784-128-10");
  ASSERT_TRUE(mlp);
  EXPECT_EQ(mlp->forwardMacs, 784u * 128 + 128u * 10);
  EXPECT_EQ(pot::trainingFlopsPerSample(mlp->forwardMacs), 6u * (784 * 128 + 128 * 10));
  ASSERT_EQ(mlp->parameters.size(), 4u);
  EXPECT_EQ(mlp->parameters[2].name, "2.weight");
  EXPECT_EQ(mlp->parameters[2].shape, (std::vector<uint64_t>{10, 128}));
  auto lenet = pot::parseBuiltinArchitecture("cnn:lenet5");
  ASSERT_TRUE(lenet);
  EXPECT_EQ(lenet->forwardMacs,
            6u * 784 * 25 + 16u * 100 * 150 + 400u * 120 + 120u * 84 + 84u * 10);
  EXPECT_EQ(lenet->inputShape, (std::vector<uint32_t>{1, 28, 28}));
  for (const char* bad :
       {"mlp:", "mlp:784", "mlp:784--10", "mlp:0-10", "mlp:7x-10", "cnn:vgg", "resnet"})
    EXPECT_FALSE(pot::parseBuiltinArchitecture(bad)) << bad;
}

TEST(Partition, DeltaFollowsSpacingSpeedAndBlockRate) {
  pot::ChainFigures chain;
  chain.targetSpacing = 60;
  chain.referenceNodeSpeed = 1000000;
  // 60 s x 1e6 FLOP/s / 1000 FLOP per sample = 60000 samples, a multiple of 32 nearby.
  EXPECT_EQ(pot::samplesPerStage(1000, chain, 32), 60000u / 32 * 32 + (60000 % 32 >= 16 ? 32 : 0));
  // Twice the expected blocks in 24 h: stages twice as long.
  chain.blocksSeen24h = 2 * 1440;
  EXPECT_EQ(pot::samplesPerStage(1000, chain, 10), 120000u);
  // The scale is clamped to [1/4, 4].
  chain.blocksSeen24h = 100 * 1440;
  EXPECT_EQ(pot::samplesPerStage(1000, chain, 10), 240000u);
  chain.blocksSeen24h = 1;
  EXPECT_EQ(pot::samplesPerStage(1000, chain, 10), 15000u);
  // Never below one minibatch.
  EXPECT_EQ(pot::samplesPerStage(1ull << 40, chain, 16), 16u);
}

TEST(Partition, EpochPermutationIsADeterministicPermutation) {
  auto a = pot::epochPermutation(1, 0, 1000);
  auto b = pot::epochPermutation(1, 0, 1000);
  EXPECT_EQ(a, b);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_NE(a, pot::epochPermutation(1, 1, 1000));
  EXPECT_NE(a, pot::epochPermutation(2, 0, 1000));
  size_t fixed = 0;
  for (uint32_t i = 0; i < 1000; ++i) fixed += a[i] == i;
  EXPECT_LT(fixed, 20u);  // a real shuffle, not the identity
}

}  // namespace
