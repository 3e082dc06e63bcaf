// Building a header: which seconds the PoS search may use, and what a rebuild draws.
#include "libcommon/consensus/header.h"

#include "consensus_fixture.h"

namespace pot::testing {
namespace {

class Header : public ConsensusFixture {
 protected:
  Result<BuiltHeader> build(uint64_t after, uint64_t now) {
    BuildHeaderOptions o;
    o.rho = rhoFor(modelId, 1);
    o.stateHash = stateFor(modelId, 1);
    o.after = after;
    return buildHeader(*chain, nodes[0],
                       {round2.declarations[0].get(), round2.declarations[1].get()}, o,
                       fixedClock(now));
  }
  static schema::BlockHeader::Reader readerOf(const MessagePtr& m) {
    return m->envelope().getBlockHeader();
  }
};

TEST_F(Header, SameInputsGiveTheSameHeader) {
  auto again = build(0, round2.now);
  ASSERT_TRUE(again) << again.status().message();
  auto h = decodeOrDie(again->header);
  EXPECT_EQ(headerIdOf(readerOf(h)), headerIdOf(readerOf(round2.header)));
}

TEST_F(Header, AfterGivesALaterSecondAndAnotherDraw) {
  const uint64_t t0 = readerOf(round2.header).getBody().getTimestamp();
  auto drawn0 = stakeholdersOf(*chain, readerOf(round2.header));
  ASSERT_TRUE(drawn0);
  // About one second in four passes (the fixture's targets), so a later
  // passing second exists well before the clock; the draws of a few
  // rebuilds cannot all equal the first.
  bool otherDraw = false;
  uint64_t after = t0;
  for (int rebuild = 0; rebuild < 8 && !otherDraw; ++rebuild) {
    auto built = build(after, round2.now);
    ASSERT_TRUE(built) << built.status().message();
    auto h = decodeOrDie(built->header);
    const uint64_t t = readerOf(h).getBody().getTimestamp();
    EXPECT_GT(t, after);
    EXPECT_NE(kernelOf(readerOf(h)), kernelOf(readerOf(round2.header)));
    auto drawn = stakeholdersOf(*chain, readerOf(h));
    ASSERT_TRUE(drawn);
    otherDraw = *drawn != *drawn0;
    after = t;
  }
  EXPECT_TRUE(otherDraw);
}

TEST_F(Header, NothingAfterTheClockPasses) {
  auto built = build(round2.now, round2.now);
  ASSERT_FALSE(built);
  EXPECT_EQ(built.status().code(), ExitCode::kInvalid) << built.status().message();
}

}  // namespace
}  // namespace pot::testing

namespace pot::testing {
namespace {

class PosMisses : public ConsensusFixture {};

TEST_F(PosMisses, AMissSaysWhichSecondsWereTriedOtherRefusalsAreNoMiss) {
  BuildHeaderOptions o;
  o.rho = rhoFor(modelId, 1);
  o.stateHash = stateFor(modelId, 1);
  o.after = round2.now;
  std::optional<PosMiss> miss;
  auto built =
      buildHeader(*chain, nodes[0], {round2.declarations[0].get(), round2.declarations[1].get()}, o,
                  fixedClock(round2.now), &miss);
  ASSERT_FALSE(built);
  ASSERT_TRUE(miss);
  EXPECT_EQ(miss->earliest, round2.now + 1);
  EXPECT_EQ(miss->latest, round2.now);
  // Too few declarations is another refusal, not a miss.
  std::optional<PosMiss> none;
  o.after = 0;
  auto few = buildHeader(*chain, nodes[0], {round2.declarations[0].get()}, o,
                         fixedClock(round2.now), &none);
  ASSERT_FALSE(few);
  EXPECT_FALSE(none);

  // Declarations: no second after the anchor up to a clock at the anchor's time.
  DeclareOptions d;
  d.modelId = modelId;
  d.stateHash = stateFor(modelId, 1);
  d.rho = rhoFor(modelId, 1);
  const uint64_t anchorTime = chain->tip().timestamp;
  std::optional<PosMiss> tdMiss;
  ASSERT_FALSE(declare(*chain, nodes[0], d, fixedClock(anchorTime), &tdMiss));
  ASSERT_TRUE(tdMiss);
  EXPECT_EQ(tdMiss->latest, anchorTime);
  std::optional<PosMiss> tdNone;
  d.modelId = tagged("not registered");
  ASSERT_FALSE(declare(*chain, nodes[0], d, fixedClock(round2.now), &tdNone));
  EXPECT_FALSE(tdNone);
}

}  // namespace
}  // namespace pot::testing
