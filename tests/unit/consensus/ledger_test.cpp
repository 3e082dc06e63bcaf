// Ledger invariants: exact undo, supply moved only by the coinbase, escrow paid out only by stages.
#include "libcommon/consensus/ledger.h"

#include "consensus_fixture.h"
#include "libcommon/consensus/ledger_records.h"
#include "libcommon/consensus/rewards.h"
#include "libcommon/consensus/state_transition.h"

namespace pot::testing {
namespace {

uint64_t sumOfBalances(const LedgerReader& l) {
  uint64_t total = 0;
  l.forEachAccount([&](const Address&, const Account& a) {
    total += a.balance;
    return true;
  });
  return total;
}

class Ledger : public ConsensusFixture {};

TEST_F(Ledger, ApplyThenUndoRestoresTheExactState) {
  MemoryLedger before, after;
  ASSERT_TRUE(copyLedger(*chain->stateAt(chain->tip().id), before));
  ASSERT_TRUE(copyLedger(before, after));
  auto block = round2.block->envelope().getBlock();
  auto undo = applyBlock(after, block, chain->params(), blockIdOf(block));
  ASSERT_TRUE(undo) << undo.status().message();
  EXPECT_FALSE(after == before);
  // Through the store encoding, as pot-chaind keeps it.
  auto decoded = decodeUndo(encodeUndo(*undo));
  ASSERT_TRUE(decoded) << decoded.status().message();
  ASSERT_TRUE(undoBlock(after, *decoded));
  EXPECT_TRUE(after == before);
}

TEST_F(Ledger, UndoOfARegistrationRemovesTheModel) {
  MemoryLedger genesisState, state;
  ASSERT_TRUE(copyLedger(*chain->stateAt(chain->genesis().id), genesisState));
  ASSERT_TRUE(copyLedger(genesisState, state));
  auto block = round1.block->envelope().getBlock();
  auto undo = applyBlock(state, block, chain->params(), blockIdOf(block));
  ASSERT_TRUE(undo);
  ASSERT_TRUE(state.model(modelId));
  EXPECT_EQ(state.model(modelId)->anchor, blockIdOf(block));
  // The request is stored once, beside the record, as the registration carried it.
  ASSERT_TRUE(state.request(modelId));
  EXPECT_EQ(*state.request(modelId), requestBytes);
  // The undo record holds no request (the model did not exist before).
  auto decoded = decodeUndo(encodeUndo(*undo));
  ASSERT_TRUE(decoded) << decoded.status().message();
  ASSERT_TRUE(undoBlock(state, *decoded));
  EXPECT_FALSE(state.model(modelId));
  EXPECT_FALSE(state.request(modelId));
  EXPECT_TRUE(state == genesisState);
}

// The same on an overlay (validation's scratch state): the erase hides the
// base's request too.
TEST_F(Ledger, OverlayKeepsAndErasesTheRequestWithTheModel) {
  const LedgerReader& tip = *chain->stateAt(chain->tip().id);
  ASSERT_TRUE(tip.request(modelId));
  OverlayLedger overlay(tip);
  EXPECT_EQ(*overlay.request(modelId), requestBytes);
  ASSERT_TRUE(overlay.eraseModel(modelId));
  EXPECT_FALSE(overlay.request(modelId));
  EXPECT_TRUE(tip.request(modelId));
  ASSERT_TRUE(overlay.putRequest(modelId, Bytes{1, 2}));
  EXPECT_EQ(*overlay.request(modelId), (Bytes{1, 2}));
}

TEST_F(Ledger, TotalSupplyChangesOnlyByTheBlockReward) {
  const LedgerReader& g = *chain->stateAt(chain->genesis().id);
  const LedgerReader& s1 = *chain->stateAt(chain->tip().id);
  EXPECT_EQ(sumOfBalances(g), g.totalSupply());
  EXPECT_EQ(s1.totalSupply(), g.totalSupply() + blockReward(chain->params(), 1));
  EXPECT_EQ(sumOfBalances(s1), s1.totalSupply());
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  const LedgerReader& s2 = *chain->stateAt(chain->tip().id);
  // Block 2 moves a stage fee out of escrow and transaction fees: neither mints.
  EXPECT_EQ(s2.totalSupply(), s1.totalSupply() + blockReward(chain->params(), 2));
  EXPECT_EQ(sumOfBalances(s2), s2.totalSupply());
}

TEST_F(Ledger, EscrowPaysOnlyStageFees) {
  const Address escrow = escrowAddress(modelId);
  const LedgerReader& s1 = *chain->stateAt(chain->tip().id);
  EXPECT_EQ(s1.account(escrow)->balance, 100 * kCoin);  // the deposit of block 1, untouched
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  const LedgerReader& s2 = *chain->stateAt(chain->tip().id);
  uint64_t stageFees = 0;
  for (auto p : round2.block->envelope().getBlock().getBody().getCoinbase())
    if (p.getKind() == schema::PayoutKind::STAGE_FEE) stageFees += p.getAmount();
  // fee 10 POT + 1 unit split over C = 2: the odd unit stays in escrow.
  EXPECT_EQ(stageFees, 10 * kCoin);
  EXPECT_EQ(s2.account(escrow)->balance, 100 * kCoin - stageFees);
  EXPECT_FALSE(isEscrow(s2, nodes[0].publicKey()));
  EXPECT_TRUE(isEscrow(s2, escrow));
}

TEST_F(Ledger, NoncesAndStakeAgeAfterABlock) {
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  const LedgerReader& s2 = *chain->stateAt(chain->tip().id);
  EXPECT_EQ(s2.account(nodes[0].publicKey())->nonce, 1u);
  EXPECT_EQ(s2.account(employer->publicKey())->nonce, 2u);
  // Declarers' coin age restarts at the block time (DESIGN 5.1).
  const uint64_t t = chain->tip().timestamp;
  EXPECT_EQ(s2.account(nodes[1].publicKey())->ageSince, t);
  EXPECT_EQ(s2.account(nodes[2].publicKey())->ageSince, t);
}

TEST(LedgerAge, WeightedMerge) {
  EXPECT_EQ(mergedAgeSince(0, 0, 10, 500), 500u);
  EXPECT_EQ(mergedAgeSince(100, 1000, 0, 5000), 1000u);
  EXPECT_EQ(mergedAgeSince(100, 1000, 100, 2000), 1500u);
  EXPECT_EQ(mergedAgeSince(300, 1000, 100, 2000), 1250u);
  // No overflow at the limits.
  EXPECT_EQ(mergedAgeSince(UINT64_MAX / 2, UINT64_MAX - 10, UINT64_MAX / 2, UINT64_MAX - 10),
            UINT64_MAX - 10);
}

TEST(LedgerOverlay, MergesWritesIntoTheOrderedWalk) {
  MemoryLedger base;
  Address a = sha256("a"), b = sha256("b"), c = sha256("c");
  std::vector<Address> sorted{a, b, c};
  std::sort(sorted.begin(), sorted.end());
  ASSERT_TRUE(base.putAccount(sorted[0], {1, 0, 0}));
  ASSERT_TRUE(base.putAccount(sorted[2], {3, 0, 0}));
  OverlayLedger o(base);
  ASSERT_TRUE(o.putAccount(sorted[1], {2, 0, 0}));
  ASSERT_TRUE(o.eraseAccount(sorted[2]));
  ASSERT_TRUE(o.putAccount(sorted[0], {10, 0, 0}));
  std::vector<std::pair<Address, uint64_t>> seen;
  o.forEachAccount([&](const Address& addr, const Account& acc) {
    seen.emplace_back(addr, acc.balance);
    return true;
  });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(sorted[0], uint64_t{10}));
  EXPECT_EQ(seen[1], std::make_pair(sorted[1], uint64_t{2}));
  EXPECT_EQ(base.account(sorted[0])->balance, 1u);  // the base is untouched
  EXPECT_TRUE(base.account(sorted[2]));
}

TEST(LedgerQueue, HighestFeeFirstDummyAsFallback) {
  MemoryLedger l;
  ModelRecord dummy, cheap, rich, finished;
  dummy.modelId = sha256("dummy");
  dummy.isDummy = true;
  dummy.stagesTotal = 3;
  cheap.modelId = sha256("cheap");
  cheap.feePerStage = 5;
  cheap.stagesTotal = 2;
  rich.modelId = sha256("rich");
  rich.feePerStage = 9;
  rich.stagesTotal = 2;
  finished.modelId = sha256("finished");
  finished.feePerStage = 100;
  finished.stagesTotal = 2;
  finished.lastStage = 2;
  ASSERT_TRUE(l.putModel(dummy));
  ASSERT_TRUE(l.putModel(finished));
  EXPECT_EQ(modelQueue(l).size(), 1u);
  EXPECT_EQ(modelQueue(l)[0].modelId, dummy.modelId);
  for (ModelRecord* m : {&cheap, &rich}) {
    m->escrow = escrowAddress(m->modelId);
    ASSERT_TRUE(l.putAccount(m->escrow, {1000, 0, 0}));
  }
  ASSERT_TRUE(l.putModel(cheap));
  ASSERT_TRUE(l.putModel(rich));
  auto q = modelQueue(l);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].modelId, rich.modelId);
  EXPECT_EQ(q[1].modelId, cheap.modelId);
}

// The queue ranks by what the escrow can pay: a registration claiming a
// huge fee with an empty escrow does not jump ahead of a funded request.
TEST(LedgerQueue, AClaimedFeeCountsOnlyAsFarAsTheEscrowPays) {
  MemoryLedger l;
  ModelRecord funded, bluff;
  funded.modelId = sha256("funded");
  funded.feePerStage = 10;
  funded.stagesTotal = 2;
  funded.escrow = escrowAddress(funded.modelId);
  funded.registrationHeight = 5;
  bluff.modelId = sha256("bluff");
  bluff.feePerStage = UINT64_MAX;
  bluff.stagesTotal = 2;
  bluff.escrow = escrowAddress(bluff.modelId);
  bluff.registrationHeight = 1;
  ASSERT_TRUE(l.putAccount(funded.escrow, {10, 0, 0}));
  ASSERT_TRUE(l.putAccount(bluff.escrow, {3, 0, 0}));
  ASSERT_TRUE(l.putModel(funded));
  ASSERT_TRUE(l.putModel(bluff));
  auto q = modelQueue(l);
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].modelId, funded.modelId);
  EXPECT_EQ(q[1].modelId, bluff.modelId);
  // Funded as well, it pays more per stage and goes first.
  ASSERT_TRUE(l.putAccount(bluff.escrow, {11, 0, 0}));
  EXPECT_EQ(modelQueue(l)[0].modelId, bluff.modelId);
}

TEST_F(Ledger, RecordEncodingsRoundTrip) {
  auto m = chain->stateAt(chain->tip().id)->model(modelId);
  ASSERT_TRUE(m);
  auto back = decodeModel(encodeModel(*m));
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_TRUE(*back == *m);
  // A progress record of a few hundred bytes, whatever the request's size
  // (schema 3): a block of the model rewrites only this.
  EXPECT_LT(encodeModel(*m).size(), 400u);
  // A record that still carries its request (chain store schema 2) is refused.
  {
    capnp::MallocMessageBuilder mb;
    auto root = mb.initRoot<schema::ModelProgress>();
    root.setModelId(dataOf(modelId));
    auto req = decodeOrDie(requestBytes);
    root.setRequest(req->envelope().getTrainingRequest());
    auto old = decodeModel(canonicalBytes(mb.getRoot<schema::ModelProgress>().asReader()));
    ASSERT_FALSE(old);
    EXPECT_EQ(old.status().code(), ExitCode::kMalformed);
  }
  Account a{123, 4, 56};
  auto ab = decodeAccount(encodeAccount(a));
  ASSERT_TRUE(ab);
  EXPECT_TRUE(*ab == a);
  EXPECT_FALSE(decodeAccount(Bytes{1, 2, 3}));
  EXPECT_FALSE(decodeUndo(Bytes(16, 0xff)));
}

// An escrow holding less than the fee per stage pays what it holds; a deposit
// in the same block counts only from the next block (the parent state rule).
class LowEscrow : public ConsensusFixture {
  uint64_t deposit() override { return 3 * kCoin; }
  uint64_t depositInBlock2() override { return 50 * kCoin; }
};

TEST_F(LowEscrow, StageFeeIsWhatTheParentEscrowHeld) {
  const Address escrow = escrowAddress(modelId);
  std::vector<uint64_t> fees;
  for (auto p : round2.block->envelope().getBlock().getBody().getCoinbase())
    if (p.getKind() == schema::PayoutKind::STAGE_FEE) fees.push_back(p.getAmount());
  EXPECT_EQ(fees, (std::vector<uint64_t>{3 * kCoin / 2, 3 * kCoin / 2}));
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  EXPECT_EQ(chain->stateAt(chain->tip().id)->account(escrow)->balance, 50 * kCoin);
}

}  // namespace
}  // namespace pot::testing
