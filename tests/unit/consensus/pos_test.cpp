// PoS: the kernel holds nothing the staker can vary but the timestamp; targets and age rules.
#include "libcommon/consensus/pos.h"

#include "consensus_fixture.h"

namespace pot::testing {
namespace {

class Pos : public ConsensusFixture {};

TEST_F(Pos, RandDoesNotChangeTheDeclarationKernel) {
  auto td = round2.declarations[0]->envelope().getTrainingDeclaration();
  capnp::MallocMessageBuilder copy;
  copy.setRoot(td);
  auto other = copy.getRoot<schema::TrainingDeclaration>();
  Hash256 rand = tagged("another rand");
  other.getBody().setRand(dataOf(rand));
  other.getBody().setCommitment(dataOf(commitmentOf(rhoFor(modelId, 1), rand)));
  signTd(other);
  EXPECT_NE(messageId(Domain::kDeclaration, td.getBody()),
            messageId(Domain::kDeclaration, other.getBody().asReader()));
  EXPECT_EQ(kernelOf(td), kernelOf(other.asReader()));
  // The timestamp is the one free field.
  other.getBody().setTimestamp(td.getBody().getTimestamp() + 1);
  EXPECT_NE(kernelOf(td), kernelOf(other.asReader()));
}

TEST_F(Pos, DeclarationOrderDoesNotChangeTheHeaderKernel) {
  auto e = edit(*round2.block);
  auto ids = e->header().getDeclarations();
  ASSERT_EQ(ids.size(), 2u);
  const Hash256 before = kernelOf(e->block().getBody().getHeader().asReader());
  Hash256 first = hashFrom(ids[0]), second = hashFrom(ids[1]);
  ids.set(0, dataOf(second));
  ids.set(1, dataOf(first));
  EXPECT_EQ(kernelOf(e->block().getBody().getHeader().asReader()), before);
  e->header().setRho(dataOf(tagged("rho is not in the kernel either")));
  EXPECT_EQ(kernelOf(e->block().getBody().getHeader().asReader()), before);
  e->header().setTimestamp(e->header().getTimestamp() + 1);
  EXPECT_NE(kernelOf(e->block().getBody().getHeader().asReader()), before);
}

TEST(PosKernel, EveryBoundFieldChangesIt) {
  const Hash256 a = sha256("a"), m = sha256("m"), s = sha256("s");
  const PublicKey k = sha256("k");
  const Hash256 base = posKernel(StakePhase::kDeclaration, a, k, m, 1, s, 100);
  EXPECT_NE(base, posKernel(StakePhase::kHeader, a, k, m, 1, s, 100));
  EXPECT_NE(base, posKernel(StakePhase::kDeclaration, sha256("b"), k, m, 1, s, 100));
  EXPECT_NE(base, posKernel(StakePhase::kDeclaration, a, sha256("j"), m, 1, s, 100));
  EXPECT_NE(base, posKernel(StakePhase::kDeclaration, a, k, sha256("n"), 1, s, 100));
  EXPECT_NE(base, posKernel(StakePhase::kDeclaration, a, k, m, 2, s, 100));
  EXPECT_NE(base, posKernel(StakePhase::kDeclaration, a, k, m, 1, sha256("t"), 100));
  EXPECT_EQ(base, posKernel(StakePhase::kDeclaration, a, k, m, 1, s, 100));
}

TEST(PosTarget, AgeRulesAndWeight) {
  MemoryLedger l;
  const PublicKey k = sha256("k");
  ASSERT_TRUE(l.putAccount(k, {1000, 0, 5000}));
  ChainParams p = defaultChainParams();
  p.minStakeAge = 100;
  p.maxStakeAge = 1000;
  p.declarationBaseTarget = uint256FromU64(1);
  Rejection why;
  EXPECT_FALSE(stakeTarget(l, p, {StakePhase::kDeclaration, k, 1000, 5099}, &why));
  EXPECT_EQ(why.reason, RejectReason::kStakeTooYoung);
  EXPECT_FALSE(stakeTarget(l, p, {StakePhase::kDeclaration, k, 1001, 9000}, &why));
  EXPECT_EQ(why.reason, RejectReason::kBadCoinstake);
  EXPECT_FALSE(stakeTarget(l, p, {StakePhase::kDeclaration, k, 0, 9000}, &why));
  EXPECT_EQ(why.reason, RejectReason::kBadCoinstake);
  auto t = stakeTarget(l, p, {StakePhase::kDeclaration, k, 500, 5200});
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, uint256FromU64(500 * 200));
  // Age counts up to maxStakeAge only.
  EXPECT_EQ(*stakeTarget(l, p, {StakePhase::kDeclaration, k, 500, 99999}),
            uint256FromU64(500 * 1000));
}

TEST(PosSearch, NeverAheadOfTheClock) {
  uint64_t tried = 0;
  auto t = searchTimestamp(
      [&](uint64_t ts) {
        tried = std::max(tried, ts);
        return ts == 105;
      },
      100, fixedClock(110), 0);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 105u);
  tried = 0;
  EXPECT_FALSE(searchTimestamp(
      [&](uint64_t ts) {
        tried = std::max(tried, ts);
        return ts == 120;
      },
      100, fixedClock(110), 1000));
  EXPECT_EQ(tried, 110u);
}

TEST(PosSearch, WaitsForTheClock) {
  // A clock that advances one second per sleep: the search waits for 103.
  uint64_t now = 100;
  Clock c{[&] { return now; }, [&] { ++now; }, false};
  auto t = searchTimestamp([](uint64_t ts) { return ts == 103; }, 100, c, 10);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 103u);
  EXPECT_EQ(now, 103u);
  now = 100;
  EXPECT_FALSE(searchTimestamp([](uint64_t ts) { return ts == 200; }, 100, c, 5));
  EXPECT_EQ(now, 105u);
}

TEST(PosSearch, MaxWaitZeroTriesEverySecondSoFarAndNeverSleeps) {
  // pot-node asks again on its next loop rather than block: each ask must
  // still cover every second since the earliest, and return at once.
  uint64_t now = 110;
  int sleeps = 0;
  Clock c{[&] { return now; },
          [&] {
            ++sleeps;
            ++now;
          },
          false};
  auto t = searchTimestamp([](uint64_t ts) { return ts == 104; }, 100, c, 0);
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 104u);
  EXPECT_FALSE(searchTimestamp([](uint64_t ts) { return ts == 111; }, 100, c, 0));
  EXPECT_EQ(sleeps, 0);
  now = 111;
  EXPECT_EQ(searchTimestamp([](uint64_t ts) { return ts == 111; }, 100, c, 0), 111u);
}

}  // namespace
}  // namespace pot::testing
