// A node's duties: the next stage (cycling for the dummy model), matching declarations, and what a
// key must sign or wrap on the tip.
#include "libcommon/consensus/duties.h"

#include "consensus_fixture.h"

namespace pot::testing {
namespace {

class Duties : public ConsensusFixture {
 protected:
  static std::vector<const Message*> ptrs(const std::vector<MessagePtr>& ms) {
    std::vector<const Message*> out;
    for (const auto& m : ms) out.push_back(m.get());
    return out;
  }
  std::vector<PublicKey> drawn2() {
    auto d = stakeholdersOf(*chain, round2.header->envelope().getBlockHeader());
    EXPECT_TRUE(d) << d.status().message();
    return d ? *d : std::vector<PublicKey>{};
  }
  Hash256 header2Id() { return headerIdOf(round2.header->envelope().getBlockHeader()); }
  ModelRecord dummyRecord() {
    auto m = chain->stateAt(chain->tip().id)->model(dummyId);
    EXPECT_TRUE(m);
    return *m;
  }
  Bytes dummyRequest() {
    auto r = chain->stateAt(chain->tip().id)->request(dummyId);
    EXPECT_TRUE(r);
    return r ? *r : Bytes{};
  }
};

TEST_F(Duties, NextIsTheRegisteredModelsFirstStage) {
  auto next = nextTraining(*chain);
  ASSERT_TRUE(next) << next.status().message();
  ASSERT_TRUE(next->has_value());
  const TrainingDuty& d = **next;
  EXPECT_EQ(d.modelId, modelId);
  EXPECT_EQ(d.stage, 1u);
  EXPECT_EQ(d.previousState, tagged("S0/real"));
  EXPECT_EQ(d.batch, tagged("B1/real"));
  EXPECT_EQ(d.declarers, 2u);
  EXPECT_EQ(d.anchor, chain->tip().id);
  EXPECT_EQ(d.parent, chain->tip().id);
}

TEST_F(Duties, ASkippedHeadGivesWayToTheDummyWhichIsNeverSkipped) {
  // The registered model heads the queue; a node that failed to train it
  // trains the dummy instead (docs/protocol.md "Liveness").
  auto next = nextTraining(*chain, {modelId});
  ASSERT_TRUE(next) << next.status().message();
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ((*next)->modelId, dummyId);
  EXPECT_EQ((*next)->stage, dummyRecord().lastStage + 1);
  next = nextTraining(*chain, {modelId, dummyId});
  ASSERT_TRUE(next && next->has_value());
  EXPECT_EQ((*next)->modelId, dummyId);
  // Skipping a model that is not queued changes nothing.
  next = nextTraining(*chain, {tagged("no such model")});
  ASSERT_TRUE(next && next->has_value());
  EXPECT_EQ((*next)->modelId, modelId);
}

TEST_F(Duties, TheDummysStagesCycleThroughItsBatches) {
  ModelRecord m = dummyRecord();
  ASSERT_EQ(m.stagesTotal, 5u);
  // Stage i uses batch ((i - 1) mod t) + 1 (DESIGN 5.8).
  const std::vector<std::pair<uint32_t, int>> lastAndBatch = {{0, 1}, {3, 4}, {4, 5},  {5, 1},
                                                              {6, 2}, {9, 5}, {10, 1}, {12, 3}};
  for (const auto& [last, batch] : lastAndBatch) {
    m.lastStage = last;
    auto d = trainingDutyOf(m, dummyRequest(), chain->tip().id);
    ASSERT_TRUE(d) << d.status().message();
    EXPECT_EQ(d->stage, last + 1);
    EXPECT_EQ(d->batch, tagged("B" + std::to_string(batch) + "/dummy")) << "stage " << last + 1;
  }
}

TEST_F(Duties, ARecordWhoseRequestDisagreesIsMalformed) {
  ModelRecord m = dummyRecord();
  m.stagesTotal = 4;
  auto d = trainingDutyOf(m, dummyRequest(), chain->tip().id);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.status().code(), ExitCode::kMalformed);
  EXPECT_FALSE(trainingDutyOf(dummyRecord(), Bytes{1, 2, 3}, chain->tip().id));
}

TEST_F(Duties, DeclarationsMatchModelStageAndState) {
  std::vector<const Message*> all = ptrs(round1.declarations);
  for (const auto* m : ptrs(round2.declarations)) all.push_back(m);
  auto got = matchingDeclarations(all, modelId, 1, stateFor(modelId, 1));
  EXPECT_EQ(got, ptrs(round2.declarations));
  EXPECT_TRUE(matchingDeclarations(all, modelId, 2, stateFor(modelId, 1)).empty());
  EXPECT_TRUE(matchingDeclarations(all, modelId, 1, stateFor(modelId, 2)).empty());
  EXPECT_TRUE(matchingDeclarations(all, dummyId, 1, stateFor(modelId, 1)).empty());
  // Other kinds are never declarations.
  EXPECT_TRUE(
      matchingDeclarations(ptrs(round2.signatures), modelId, 1, stateFor(modelId, 1)).empty());
}

TEST_F(Duties, NamedDeclarationsComeInTheHeadersOrder) {
  auto h = round2.header->envelope().getBlockHeader();
  std::vector<const Message*> all = ptrs(round1.declarations);
  all.push_back(round2.declarations[1].get());
  all.push_back(round2.declarations[0].get());
  auto named = namedDeclarations(h, all);
  ASSERT_TRUE(named);
  ASSERT_EQ(named->size(), 2u);
  auto ids = h.getBody().getDeclarations();
  for (size_t i = 0; i < 2; ++i)
    EXPECT_EQ(
        messageId(Domain::kDeclaration, (*named)[i]->envelope().getTrainingDeclaration().getBody()),
        hashFrom(ids[i]));
  EXPECT_FALSE(namedDeclarations(h, ptrs(round1.declarations)));
}

TEST_F(Duties, OnlySignaturesOfTheDrawnKeyForThisHeaderCount) {
  const auto drawn = drawn2();
  ASSERT_EQ(drawn.size(), 3u);
  auto counted = countedSignatures(header2Id(), drawn, ptrs(round2.signatures));
  ASSERT_EQ(counted.size(), 2u);
  EXPECT_EQ(counted.at(1), round2.signatures[0].get());
  EXPECT_EQ(counted.at(2), round2.signatures[1].get());
  // Signed by a key that was not drawn at that index, for another header, or
  // at the wrapper's index: none of them makes a valid block.
  const SigningKey* other = nullptr;
  for (const auto& n : nodes)
    if (n.publicKey() != drawn[0]) other = &n;
  auto wrongKey = decodeOrDie(signStakeholder(*other, header2Id(), 1));
  auto wrongHeader = decodeOrDie(signStakeholder(*keys.at(drawn[0]), tagged("other"), 1));
  auto wrapperIndex = decodeOrDie(signStakeholder(*keys.at(drawn[2]), header2Id(), 3));
  EXPECT_TRUE(
      countedSignatures(header2Id(), drawn, {wrongKey.get(), wrongHeader.get(), wrapperIndex.get()})
          .empty());
}

TEST_F(Duties, EachDrawnKeySignsItsIndicesThenTheWrapperWraps) {
  const auto drawn = drawn2();
  ASSERT_EQ(drawn.size(), 3u);
  const std::vector<const Message*> headers = {round1.header.get(), round2.header.get()};
  for (const auto& n : nodes) {
    auto duties = stakeDuties(*chain, n.publicKey(), headers, {});
    std::vector<uint32_t> want;
    for (uint32_t k = 1; k < 3; ++k)
      if (drawn[k - 1] == n.publicKey()) want.push_back(k);
    ASSERT_EQ(duties.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(duties[i].kind, StakeDuty::Kind::kSign);
      EXPECT_EQ(duties[i].index, want[i]);
      EXPECT_EQ(duties[i].headerId, header2Id());
      EXPECT_EQ(duties[i].header, round2.header.get());  // round 1's header is not on the tip
    }
  }
  // Stakeholder 1's signature in: only index 2 is still owed.
  auto one = stakeDuties(*chain, drawn[1], headers, {round2.signatures[0].get()});
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(one[0].kind, StakeDuty::Kind::kSign);
  EXPECT_EQ(one[0].index, 2u);
  // Both in: the wrapper wraps, and nobody owes a signature any more.
  auto all = ptrs(round2.signatures);
  auto wrap = stakeDuties(*chain, drawn[2], headers, all);  // the employer holds coins too
  ASSERT_EQ(wrap.size(), 1u);
  EXPECT_EQ(wrap[0].kind, StakeDuty::Kind::kWrap);
  EXPECT_EQ(wrap[0].index, 3u);
  for (const auto& n : nodes)
    if (n.publicKey() != drawn[2])
      EXPECT_TRUE(stakeDuties(*chain, n.publicKey(), headers, all).empty());
}

TEST_F(Duties, APendingTransactionTheLedgerRefusesIsLeftOut) {
  const auto drawn = drawn2();
  ASSERT_EQ(drawn.size(), 3u);
  BlockParts parts;
  parts.header = round2.header.get();
  parts.declarations = ptrs(round2.declarations);
  parts.signatures = ptrs(round2.signatures);
  // The employer's next nonce is 2; it holds far less than this.
  auto tooMuch = decodeOrDie(makeTransfer(*employer, 2, 10, nodes[1].publicKey(), 1000000 * kCoin));
  auto out = stakeWithPending(*chain, *keys.at(drawn[2]), parts, {tooMuch.get(), txs2[0].get()});
  ASSERT_TRUE(out) << out.status().message();
  ASSERT_TRUE(out->isBlock);
  auto block = decodeOrDie(out->message);
  auto txs = block->envelope().getBlock().getBody().getTransactions();
  ASSERT_EQ(txs.size(), 1u);
  EXPECT_EQ(txs[0].getBody().getNonce(), 0u);  // nodes[0]'s transfer, the good one
  EXPECT_TRUE(validateBlockBytes(*chain, out->message, round2.now).valid());
  // All good: all in, in order.
  auto both = stakeWithPending(*chain, *keys.at(drawn[2]), parts, ptrs(txs2));
  ASSERT_TRUE(both) << both.status().message();
  EXPECT_EQ(decodeOrDie(both->message)->envelope().getBlock().getBody().getTransactions().size(),
            txs2.size());
  // A stakeholder's signature does not depend on them.
  auto sig = stakeWithPending(*chain, *keys.at(drawn[0]), BlockParts{round2.header.get()},
                              {tooMuch.get()});
  ASSERT_TRUE(sig) << sig.status().message();
  EXPECT_FALSE(sig->isBlock);
}

// The fork policy: one header per parent, the lowest kernel among those
// that arrived within the window; all of them once the lock lapses.
class EndorsePolicyTest : public Duties {
 protected:
  // A second header on the tip for round 2's stage: another builder, the
  // same declarations.
  MessagePtr rivalHeader() {
    BuildHeaderOptions ho;
    ho.rho = rhoFor(modelId, 1);
    ho.stateHash = stateFor(modelId, 1);
    auto hdr =
        buildHeader(*chain, nodes[3], ptrs(round2.declarations), ho, fixedClock(round2.now + 100));
    EXPECT_TRUE(hdr) << hdr.status().message();
    return hdr ? decodeOrDie(hdr->header) : nullptr;
  }
  static Hash256 kernel(const MessagePtr& m) { return kernelOf(m->envelope().getBlockHeader()); }
  const EndorsePolicy policy{1500, 15000};
};

TEST_F(EndorsePolicyTest, OnlyTheLowestKernelInTheWindowIsEndorsed) {
  auto rival = rivalHeader();
  ASSERT_TRUE(rival);
  const Message* a = round2.header.get();
  const Message* b = rival.get();
  const Message* lowest = kernel(round2.header) < kernel(rival) ? a : b;
  const std::vector<ArrivedHeader> both = {{round1.header.get(), 0}, {a, 10000}, {b, 10400}};
  // The window is open: nothing yet.
  EXPECT_TRUE(headersToEndorse(*chain, both, 11499, policy).empty());
  // Closed: one header, the lowest kernel, whichever arrived first.
  EXPECT_EQ(headersToEndorse(*chain, both, 11500, policy), std::vector<const Message*>{lowest});
  const std::vector<ArrivedHeader> swapped = {{b, 10000}, {a, 10400}};
  EXPECT_EQ(headersToEndorse(*chain, swapped, 12000, policy), std::vector<const Message*>{lowest});
  // A header that arrived after the window is not endorsed, even with a lower kernel.
  const Message* highest = lowest == a ? b : a;
  const std::vector<ArrivedHeader> late = {{highest, 10000}, {lowest, 11600}};
  EXPECT_EQ(headersToEndorse(*chain, late, 12000, policy), std::vector<const Message*>{highest});
  // The lock lapsed: every header on the tip (round 1's is not on it).
  EXPECT_EQ(headersToEndorse(*chain, late, 25000, policy),
            (std::vector<const Message*>{highest, lowest}));
  // No policy: every header at once.
  EXPECT_EQ(headersToEndorse(*chain, both, 0, EndorsePolicy{0, 0}),
            (std::vector<const Message*>{a, b}));
  // And the duties follow: only the chosen header's stakeholders owe anything.
  for (const auto& n : nodes)
    for (const auto& d :
         stakeDuties(*chain, n.publicKey(), headersToEndorse(*chain, both, 11500, policy), {}))
      EXPECT_EQ(d.header, lowest);
}

TEST_F(EndorsePolicyTest, AHeaderThatCouldNotMakeABlockNeverWins) {
  // Round 2's fields with another timestamp and a forged signature, or with a
  // timestamp whose kernel is above the builder's target: neither counts, so
  // neither can hold the stakeholders back with a low kernel.
  auto h = round2.header->envelope().getBlockHeader().getBody();
  HeaderFields f;
  f.parent = hashFrom(h.getParent());
  f.height = h.getHeight();
  f.modelId = hashFrom(h.getModelId());
  f.stage = h.getStage();
  f.stateHash = hashFrom(h.getStateHash());
  f.rho = hashFrom(h.getRho());
  for (auto d : h.getDeclarations()) f.declarations.push_back(hashFrom(d));
  f.stakeAmount = h.getCoinstake().getAmount();
  MessagePtr failing;
  for (uint64_t t = h.getTimestamp() + 1; t < h.getTimestamp() + 200 && !failing; ++t) {
    f.timestamp = t;
    auto m = decodeOrDie(signHeader(nodes[0], f));
    auto target = stakeTarget(*chain->stateAt(chain->tip().id), chain->params(),
                              {StakePhase::kHeader, nodes[0].publicKey(), f.stakeAmount, t});
    if (target && !meetsTarget(kernel(m), *target)) failing = std::move(m);
  }
  ASSERT_TRUE(failing) << "no failing second in 200 (one in four passes)";
  EXPECT_TRUE(headersToEndorse(*chain, {{failing.get(), 0}}, 20000, EndorsePolicy{0, 0}).empty());
  // Signed by another key than its pubkey says.
  f.timestamp = h.getTimestamp();
  auto forged = decodeOrDie(signHeader(nodes[0], f));
  Bytes other = signHeader(nodes[1], f);
  auto otherMsg = decodeOrDie(other);
  capnp::MallocMessageBuilder mb;
  mb.setRoot(forged->envelope());
  auto sig = otherMsg->envelope().getBlockHeader().getSignature();
  mb.getRoot<schema::Envelope>().getBlockHeader().setSignature(sig);
  auto bad = decodeOrDie(encodeMessage(mb.getRoot<schema::Envelope>().asReader()));
  EXPECT_TRUE(headersToEndorse(*chain, {{bad.get(), 0}}, 20000, EndorsePolicy{0, 0}).empty());
  EXPECT_EQ(headersToEndorse(*chain, {{forged.get(), 0}}, 20000, EndorsePolicy{0, 0}).size(), 1u);
}

}  // namespace
}  // namespace pot::testing
