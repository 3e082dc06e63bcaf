// Liveness (DESIGN 5.8): the dummy model is declared, built and validated past its t stages;
// any other model stops at t.
#include "consensus_fixture.h"
#include "libcommon/consensus/duties.h"

namespace pot::testing {
namespace {

class Liveness : public ConsensusFixture {
 protected:
  // One block of `model` at `stage` on the tip, declarers and builder rotating over the nodes.
  void advance(const Hash256& model, uint32_t stage) {
    now += 2000;
    Round r = playRound(model, stage, {&nodes[stage % 4], &nodes[(stage + 1) % 4]},
                        &nodes[(stage + 2) % 4], {}, now);
    ASSERT_TRUE(r.block) << "stage " << stage;
    Status s = chain->addBlock(*r.block, now);
    ASSERT_TRUE(s) << "stage " << stage << ": " << s.message();
  }
  uint32_t lastStage(const Hash256& model) {
    return chain->stateAt(chain->tip().id)->model(model)->lastStage;
  }
  uint64_t now = 0;
};

TEST_F(Liveness, TheDummyGoesPastItsLastStageOtherModelsStop) {
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  now = round2.now;
  // The employer's model has t = 3 stages: after them, nothing more.
  for (uint32_t s = 2; s <= 3; ++s) advance(modelId, s);
  ASSERT_EQ(lastStage(modelId), 3u);
  DeclareOptions o;
  o.modelId = modelId;
  o.stateHash = stateFor(modelId, 4);
  o.rho = rhoFor(modelId, 4);
  auto td = declare(*chain, nodes[0], o, fixedClock(now + 2000));
  ASSERT_FALSE(td);
  EXPECT_EQ(td.status().code(), ExitCode::kInvalid) << td.status().message();

  // The dummy (t = 5): stages 2..7, so 6 and 7 train batches 1 and 2 again.
  for (uint32_t s = 2; s <= 7; ++s) advance(dummyId, s);
  EXPECT_EQ(lastStage(dummyId), 7u);
  auto next = nextTraining(*chain);
  ASSERT_TRUE(next && next->has_value());
  EXPECT_EQ((*next)->modelId, dummyId);
  EXPECT_EQ((*next)->stage, 8u);
  EXPECT_EQ((*next)->batch, tagged("B3/dummy"));
}

}  // namespace
}  // namespace pot::testing
