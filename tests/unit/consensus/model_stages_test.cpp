// A model's stages read off the best chain, the --stages range, and the auditor's seeded sample.
#include "libcommon/consensus/model_stages.h"

#include <algorithm>
#include <functional>
#include <set>

#include "consensus_fixture.h"

namespace pot::testing {
namespace {

class ModelStages : public ConsensusFixture {};

TEST_F(ModelStages, EachModelsStagesComeFromTheBestChainInHeightOrder) {
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  auto blocks = bestChainBlocks(*chain);
  ASSERT_TRUE(blocks);
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[0].height, 1u);
  EXPECT_EQ((*blocks)[1].id, chain->tip().id);

  auto mine = recordedStages(*chain, modelId);
  ASSERT_TRUE(mine) << mine.status().message();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].stage, 1u);
  EXPECT_EQ((*mine)[0].height, 2u);
  EXPECT_EQ((*mine)[0].block, blockIdOf(round2.block->envelope().getBlock()));
  EXPECT_EQ((*mine)[0].rho, rhoFor(modelId, 1));
  EXPECT_EQ((*mine)[0].stateHash, stateFor(modelId, 1));
  EXPECT_FALSE((*mine)[0].lossTraceHash);

  auto dummy = recordedStages(*chain, dummyId);
  ASSERT_TRUE(dummy);
  ASSERT_EQ(dummy->size(), 1u);
  EXPECT_EQ((*dummy)[0].height, 1u);
  EXPECT_EQ((*dummy)[0].stateHash, stateFor(dummyId, 1));

  auto none = recordedStages(*chain, tagged("no such model"));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

// A view without block bodies cannot list stages: an I/O error, not an empty answer.
class NoBodies : public ChainView {
 public:
  explicit NoBodies(const ChainView& inner) : inner_(inner) {}
  const Genesis& genesis() const override { return inner_.genesis(); }
  std::optional<BlockInfo> blockInfo(const Hash256& id) const override {
    return inner_.blockInfo(id);
  }
  const LedgerReader* stateAt(const Hash256& id) const override { return inner_.stateAt(id); }
  BlockInfo tip() const override { return inner_.tip(); }

 private:
  const ChainView& inner_;
};

TEST_F(ModelStages, AViewWithoutBlockFilesIsAnIoError) {
  NoBodies view(*chain);
  auto r = recordedStages(view, dummyId);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().exitCode(), 4);
}

// A view whose stored blocks are damaged: the walk reports them malformed (3), never crashes.
class DamagedBodies : public ChainView {
 public:
  DamagedBodies(const ChainView& inner, std::function<void(Bytes&)> damage)
      : inner_(inner), damage_(std::move(damage)) {}
  const Genesis& genesis() const override { return inner_.genesis(); }
  std::optional<BlockInfo> blockInfo(const Hash256& id) const override {
    return inner_.blockInfo(id);
  }
  const LedgerReader* stateAt(const Hash256& id) const override { return inner_.stateAt(id); }
  BlockInfo tip() const override { return inner_.tip(); }
  std::optional<Bytes> blockBytes(const Hash256& id) const override {
    auto b = inner_.blockBytes(id);
    if (b) damage_(*b);
    return b;
  }

 private:
  const ChainView& inner_;
  std::function<void(Bytes&)> damage_;
};

TEST_F(ModelStages, ADamagedStoredBlockIsMalformed) {
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  const std::vector<std::function<void(Bytes&)>> damages = {
      [](Bytes& b) { b.resize(b.size() - 8); },  // the frame's size is wrong
      [](Bytes& b) { b[0] = 1; },                // two segments
      [](Bytes& b) {                             // the root pointer points far outside
        for (size_t i = 8; i < 16; ++i) b[i] = 0x7f;
      },
  };
  for (size_t k = 0; k < damages.size(); ++k) {
    DamagedBodies view(*chain, damages[k]);
    auto r = recordedStages(view, modelId);
    ASSERT_FALSE(r) << k;
    EXPECT_EQ(r.status().exitCode(), 3) << k << ": " << r.status().message();
  }
}

TEST_F(ModelStages, TheWalkStopsAtTheCallbacksFailure) {
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  auto blocks = bestChainBlocks(*chain);
  ASSERT_TRUE(blocks);
  int calls = 0;
  Status s = forEachRecordedStage(
      *chain, *blocks, modelId,
      [&](const RecordedStage& r, const BlockInfo& info, schema::Block::Reader block) {
        ++calls;
        EXPECT_EQ(info.id, r.block);
        EXPECT_EQ(block.getBody().getHeader().getBody().getStage(), r.stage);
        return Status::io("stop");
      });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.exitCode(), 4);
}

TEST(StageRange, ParsesARangeOrOneStage) {
  auto r = parseStageRange("2-5");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first, 2u);
  EXPECT_EQ(r->last, 5u);
  auto one = parseStageRange("7");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->first, 7u);
  EXPECT_EQ(one->last, 7u);
  for (const char* bad : {"", "0-3", "5-2", "a-b", "3-", "-3", "1-2-3", "+1"}) {
    auto b = parseStageRange(bad);
    ASSERT_FALSE(b) << bad;
    EXPECT_EQ(b.status().exitCode(), 2) << bad;
  }
}

TEST(SampleStages, TheSameSeedPicksTheSameStagesAndOtherSeedsOthers) {
  std::vector<uint32_t> stages;
  for (uint32_t s = 1; s <= 40; ++s) stages.push_back(s);
  auto a = sampleStages(stages, 0.25, 1234);
  EXPECT_EQ(a, sampleStages(stages, 0.25, 1234));
  ASSERT_EQ(a.size(), 10u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  std::set<std::vector<uint32_t>> seen{a};
  for (uint64_t seed = 0; seed < 8; ++seed) seen.insert(sampleStages(stages, 0.25, seed));
  // Nine seeds, ten of forty stages each: a collision would be a broken ranking.
  EXPECT_EQ(seen.size(), 9u);
  // The sample of a subset is ranked by the same keys: order of input is irrelevant.
  std::vector<uint32_t> reversed(stages.rbegin(), stages.rend());
  EXPECT_EQ(sampleStages(reversed, 0.25, 1234), a);
}

TEST(SampleStages, RoundsUpAndKeepsAtLeastOne) {
  std::vector<uint32_t> stages{3, 4, 5};
  EXPECT_EQ(sampleStages(stages, 0.01, 9).size(), 1u);
  EXPECT_EQ(sampleStages(stages, 0.5, 9).size(), 2u);
  EXPECT_EQ(sampleStages(stages, 1.0, 9), stages);
  EXPECT_TRUE(sampleStages({}, 0.5, 9).empty());
}

}  // namespace
}  // namespace pot::testing
