// The chain store's indexes on real blocks: the state-hash index keeps the
// first block that recorded a state, and the per-key work index follows the
// best chain through a reorganisation.
#include <gtest/gtest.h>

#include <filesystem>

#include "../consensus/consensus_fixture.h"
#include "libcommon/consensus/rewards.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/fileio.h"
#include "libcommon/store/chain_store.h"

namespace pot::testing {
namespace {

namespace fs = std::filesystem;
using chaind::ChainStore;
using chaind::WorkHistory;
using chaind::WorkRole;

// Every model reaches the same state at a given stage, as two models of one
// recipe would: block 1 (the dummy's stage 1) and block 2 (the employer's
// stage 1) record the same H(S_1).
class ChainStoreIndexTest : public ConsensusFixture {
 protected:
  Hash256 stateFor(const Hash256&, uint32_t stage) const override {
    return tagged("shared-state/" + std::to_string(stage));
  }
  void SetUp() override {
    ConsensusFixture::SetUp();
    if (HasFatalFailure()) return;
    char tmpl[] = "/tmp/pot-chain-index-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(writeFileAtomic(dir_ + "/genesis", genesisBytes));
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<ChainStore> open(const std::string& name) {
    auto c = ChainStore::open(dir_ + "/" + name, dir_ + "/genesis", false);
    EXPECT_TRUE(c) << c.status().message();
    return c ? std::move(*c) : nullptr;
  }
  static Bytes bytesOf(const Message& m) { return encodeMessage(m.envelope()); }
  void import(ChainStore& c, const Bytes& block) {
    auto r = c.importBlock(block, round2.now + 10);
    ASSERT_TRUE(r) << r.status().message();
  }

  // Totals recounted from the best chain's blocks themselves.
  std::map<Address, WorkHistory> recount(ChainStore& c) {
    std::map<Address, WorkHistory> out;
    auto tip = c.tip();
    EXPECT_TRUE(tip);
    for (uint64_t h = 1; h <= tip->height; ++h) {
      auto id = c.activeAt(h);
      auto bytes = c.block(**id);
      auto m = decodeOrDie(**bytes);
      auto body = m->envelope().getBlock().getBody();
      auto bump = [&out](const Address& a, WorkRole r) {
        out[a].totals[static_cast<size_t>(r) - 1].count++;
      };
      bump(hashFrom(body.getHeader().getBody().getPubkey()), WorkRole::kHeader);
      bump(hashFrom(body.getWrapper()), WorkRole::kBlock);
      for (auto td : body.getDeclarations())
        bump(hashFrom(td.getBody().getPubkey()), WorkRole::kDeclaration);
      for (auto s : body.getStakeholderSignatures())
        bump(hashFrom(s.getBody().getPubkey()), WorkRole::kStakeholder);
      // Rewards: what the coinbase paid each key, all roles together.
      for (auto p : body.getCoinbase()) out[hashFrom(p.getTo())].totals[0].reward += p.getAmount();
    }
    return out;
  }
  void expectIndexMatchesChain(ChainStore& c) {
    auto want = recount(c);
    for (const auto& [key, signer] : keys) {
      auto got = c.workHistory(key, 1000);
      ASSERT_TRUE(got) << got.status().message();
      uint64_t reward = 0;
      for (size_t r = 0; r < chaind::kWorkRoles; ++r) {
        EXPECT_EQ(got->totals[r].count, want[key].totals[r].count) << key.hex() << " role " << r;
        reward += got->totals[r].reward;
      }
      EXPECT_EQ(reward, want[key].totals[0].reward) << key.hex();
      uint64_t entries = 0, entryReward = 0;
      for (const auto& t : got->totals) entries += t.count;
      for (const auto& e : got->recent) entryReward += e.reward;
      EXPECT_EQ(got->recent.size(), entries);
      EXPECT_EQ(entryReward, reward);
      EXPECT_FALSE(got->more);
    }
  }

  std::string dir_;
};

TEST_F(ChainStoreIndexTest, ALaterBlockWithTheSameStateHashDoesNotMoveTheStateRecord) {
  auto c = open("db");
  ASSERT_TRUE(c);
  import(*c, bytesOf(*round1.block));
  import(*c, bytesOf(*round2.block));
  ASSERT_EQ(c->tip()->height, 2u);
  auto rec = c->stateRecord(stateFor(modelId, 1));
  ASSERT_TRUE(rec && rec->has_value());
  EXPECT_EQ((*rec)->modelId, dummyId);
  EXPECT_EQ((*rec)->stage, 1u);
  EXPECT_EQ((*rec)->block, blockIdOf(round1.block->envelope().getBlock()));
}

TEST_F(ChainStoreIndexTest, WorkIndexCountsEachRoleWithItsRewardNewestFirst) {
  auto c = open("db");
  ASSERT_TRUE(c);
  import(*c, bytesOf(*round1.block));
  import(*c, bytesOf(*round2.block));
  expectIndexMatchesChain(*c);
  // nodes[1] declared in both blocks: the newest entry is block 2's.
  auto h = c->workHistory(nodes[1].publicKey(), 1);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->totals[static_cast<size_t>(WorkRole::kDeclaration) - 1].count, 2u);
  ASSERT_EQ(h->recent.size(), 1u);
  EXPECT_TRUE(h->more);
  EXPECT_EQ(h->recent[0].height, 2u);
  EXPECT_EQ(h->recent[0].block, blockIdOf(round2.block->envelope().getBlock()));
  // A key that did nothing has an empty history.
  auto none = c->workHistory(tagged("nobody"), 10);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->recent.empty());
  EXPECT_FALSE(none->more);
}

// Two blocks on block 1 with the same header (one carries a transaction, so
// its wrapper earns a fee): equal trust, the lower id wins in either import
// order, so one order reorganises; both stores end with the same index.
TEST_F(ChainStoreIndexTest, WorkIndexFollowsAReorganisation) {
  Round bare = playRound(modelId, 1, {&nodes[1], &nodes[2]}, &nodes[0], {}, round2.now);
  ASSERT_TRUE(bare.block);
  const Bytes a = bytesOf(*round2.block), b = bytesOf(*bare.block);
  ASSERT_NE(a, b);
  size_t reorganised = 0;
  for (const auto& [name, first, second] : {std::tuple{"ab", a, b}, std::tuple{"ba", b, a}}) {
    auto c = open(name);
    ASSERT_TRUE(c);
    import(*c, bytesOf(*round1.block));
    import(*c, first);
    auto r = c->importBlock(second, round2.now + 10);
    ASSERT_TRUE(r) << r.status().message();
    reorganised += r->disconnected;
    expectIndexMatchesChain(*c);
  }
  EXPECT_EQ(reorganised, 1u);
}

// A reorganisation across a registration: a branch of two dummy blocks on
// the genesis (no registration) takes over from block 1, which registered
// the employer's model; the store's ledger then equals a replay of that
// branch (the model's record and its request gone), and taking the first
// branch back (3 blocks) restores them, again equal to a replay.
TEST_F(ChainStoreIndexTest, AReorganisationAcrossARegistrationMatchesAReplay) {
  // The first branch: blocks 1 (registration), 2 and 3 of the fixture's chain.
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  Round third = playRound(modelId, 2, {&nodes[1], &nodes[2]}, &nodes[3], {}, round2.now + 2000);
  ASSERT_TRUE(third.block);
  ASSERT_TRUE(chain->addBlock(*third.block, third.now));
  std::vector<MessagePtr> first;
  for (const Round* r : {&round1, &round2, &third})
    first.push_back(decodeOrDie(bytesOf(*r->block)));
  // The other branch, played on a chain that has only the genesis.
  auto gen = parseGenesis(std::shared_ptr<const Message>(decodeOrDie(genesisBytes)));
  ASSERT_TRUE(gen);
  auto fresh = MemoryChain::create(*gen);
  ASSERT_TRUE(fresh);
  std::swap(chain, *fresh);
  std::vector<MessagePtr> other;
  for (uint32_t stage = 1; stage <= 2; ++stage) {
    Round r = playRound(dummyId, stage, {&nodes[2], &nodes[3]}, &nodes[1], {},
                        kGenesisTime + 1000 * stage + 7);
    ASSERT_TRUE(r.block);
    ASSERT_TRUE(chain->addBlock(*r.block, r.now));
    other.push_back(std::move(r.block));
  }
  std::swap(chain, *fresh);  // `fresh` now holds the other branch

  auto stateOf = [](const ChainView& c) {
    MemoryLedger l;
    EXPECT_TRUE(copyLedger(*c.stateAt(c.tip().id), l));
    return l;
  };
  auto storeState = [&](std::unique_ptr<ChainStore>& c) {
    c.reset();  // one LMDB environment per process: the view opens its own
    auto view = chaind::StoreChainView::open(dir_ + "/db");
    EXPECT_TRUE(view) << view.status().message();
    MemoryLedger l = stateOf(**view);
    view->reset();
    c = open("db");
    return l;
  };
  auto c = open("db");
  ASSERT_TRUE(c);
  import(*c, bytesOf(*first[0]));
  ASSERT_TRUE(c->request(modelId)->has_value());
  EXPECT_EQ(**c->request(modelId), requestBytes);
  for (const auto& b : other) import(*c, bytesOf(*b));
  EXPECT_EQ(c->tip()->id, (*fresh)->tip().id);
  EXPECT_FALSE(c->model(modelId)->has_value());
  EXPECT_FALSE(c->request(modelId)->has_value());
  EXPECT_TRUE(c->request(dummyId)->has_value());
  EXPECT_TRUE(storeState(c) == stateOf(**fresh));
  for (size_t i = 1; i < first.size(); ++i) import(*c, bytesOf(*first[i]));
  EXPECT_EQ(c->tip()->id, chain->tip().id);
  EXPECT_EQ(**c->request(modelId), requestBytes);
  EXPECT_TRUE(storeState(c) == stateOf(*chain));
}

// Bulk import: the same refusal, with the same code and message, as a
// block-by-block import; the blocks before it stay stored (their results
// reported once committed), none after it is tried. Broken once in the
// signatures validation checks (a declaration's) and once in the
// wrapper's, which is checked before the transaction.
TEST_F(ChainStoreIndexTest, BulkImportRefusesABadSignatureLikeOneByOne) {
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  Round third = playRound(modelId, 2, {&nodes[1], &nodes[2]}, &nodes[3], {}, round2.now + 2000);
  ASSERT_TRUE(third.block);
  auto breakTd = [&](Edit& e) {
    auto sig = e.td(0).getSignature();
    Bytes bad(sig.begin(), sig.end());
    bad[5] ^= 1;
    e.td(0).setSignature(kj::arrayPtr(bad.data(), bad.size()));
    reseal(e, kBlockSig);
  };
  auto breakWrapper = [&](Edit& e) {
    auto sig = e.block().getSignature();
    Bytes bad(sig.begin(), sig.end());
    bad[9] ^= 1;
    e.block().setSignature(kj::arrayPtr(bad.data(), bad.size()));
  };
  int n = 0;
  for (const auto& [breakIt, code] :
       {std::pair<std::function<void(Edit&)>, RejectReason>{breakTd, RejectReason::kBadTdSig},
        {breakWrapper, RejectReason::kBadBlockSig}}) {
    auto e = edit(*round2.block);
    breakIt(*e);
    const Bytes bad = encodeMessage(e->mb.getRoot<schema::Envelope>().asReader());
    const std::vector<Bytes> blocks{bytesOf(*round1.block), bad, bytesOf(*third.block)};
    // One by one.
    auto single = open("single" + std::to_string(n));
    ASSERT_TRUE(single);
    import(*single, blocks[0]);
    RejectReason singleWhy = RejectReason::kNone;
    auto one = single->importBlock(bad, round2.now + 10, &singleWhy);
    ASSERT_FALSE(one);
    EXPECT_EQ(singleWhy, code);
    // In bulk, all three in one batch, checked on 3 threads.
    auto bulk = open("bulk" + std::to_string(n++));
    ASSERT_TRUE(bulk);
    std::vector<size_t> reported;
    RejectReason bulkWhy = RejectReason::kNone;
    chaind::BulkOptions options;
    options.threads = 3;
    Status s = bulk->importBlocks(
        blocks, round2.now + 10,
        [&](size_t i, const chaind::ImportResult& r) {
          reported.push_back(i);
          EXPECT_TRUE(r.tipChanged);
        },
        &bulkWhy, options);
    ASSERT_FALSE(s);
    EXPECT_EQ(bulkWhy, code);
    EXPECT_EQ(s.code(), one.status().code());
    EXPECT_EQ(s.message(), one.status().message());
    EXPECT_EQ(reported, std::vector<size_t>{0});
    EXPECT_EQ(bulk->tip()->height, 1u);
    EXPECT_EQ(bulk->tip()->id, single->tip()->id);
    EXPECT_FALSE(bulk->info(blockIdOf(third.block->envelope().getBlock()))->has_value());
  }
}

// Bulk import of a whole chain, one block per commit and all in one, ends
// where the one-by-one import ends, with every block reported in order.
TEST_F(ChainStoreIndexTest, BulkImportEndsWhereOneByOneEnds) {
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  Round third = playRound(modelId, 2, {&nodes[1], &nodes[2]}, &nodes[3], {}, round2.now + 2000);
  ASSERT_TRUE(third.block);
  const std::vector<Bytes> blocks{bytesOf(*round1.block), bytesOf(*round2.block),
                                  bytesOf(*third.block), bytesOf(*round2.block)};
  auto single = open("single");
  ASSERT_TRUE(single);
  for (const auto& b : blocks) import(*single, b);
  for (size_t per : {1, 2, 64}) {
    auto bulk = open("bulk" + std::to_string(per));
    ASSERT_TRUE(bulk);
    std::vector<size_t> reported;
    std::vector<bool> known;
    chaind::BulkOptions options;
    options.blocksPerCommit = per;
    Status s = bulk->importBlocks(
        blocks, round2.now + 10,
        [&](size_t i, const chaind::ImportResult& r) {
          reported.push_back(i);
          known.push_back(r.known);
        },
        nullptr, options);
    ASSERT_TRUE(s) << s.message();
    EXPECT_EQ(reported, (std::vector<size_t>{0, 1, 2, 3}));
    EXPECT_EQ(known, (std::vector<bool>{false, false, false, true}));  // the last repeats
    EXPECT_EQ(bulk->tip()->id, single->tip()->id);
    EXPECT_EQ(bulk->tip()->height, 3u);
    expectIndexMatchesChain(*bulk);
  }
}

// The reorganisation depth cap: a sibling of the tip forks 1 block below
// it. With a cap of 0 it is refused before validation (not the sender's
// fault: no reject reason), nothing is stored; with a cap of 1 it is taken.
TEST_F(ChainStoreIndexTest, ABranchForkingBelowTheCapIsRefusedBeforeValidation) {
  Round bare = playRound(modelId, 1, {&nodes[1], &nodes[2]}, &nodes[0], {}, round2.now);
  ASSERT_TRUE(bare.block);
  const Bytes a = bytesOf(*round2.block), b = bytesOf(*bare.block);
  auto c = open("db");
  ASSERT_TRUE(c);
  import(*c, bytesOf(*round1.block));
  import(*c, a);
  c->setMaxReorgDepth(0);
  RejectReason why = RejectReason::kBadBlockSig;
  auto refused = c->importBlock(b, round2.now + 10, &why);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ExitCode::kInvalid);
  EXPECT_EQ(refused.status().message().rfind("fork-too-deep: ", 0), 0u)
      << refused.status().message();
  EXPECT_EQ(why, RejectReason::kNone);
  EXPECT_FALSE(c->info(blockIdOf(bare.block->envelope().getBlock()))->has_value());
  EXPECT_EQ(c->tip()->height, 2u);
  // The stakeholders query is bounded the same way: refused for that
  // sibling's header, answered once the cap allows its fork.
  const Bytes header = encodeMessage(bare.header->envelope());
  auto drawn = c->stakeholders(header);
  ASSERT_FALSE(drawn);
  EXPECT_EQ(drawn.status().message().rfind("fork-too-deep: ", 0), 0u);
  c->setMaxReorgDepth(1);
  drawn = c->stakeholders(header);
  ASSERT_TRUE(drawn) << drawn.status().message();
  EXPECT_EQ(drawn->size(), 3u);
  auto taken = c->importBlock(b, round2.now + 10, &why);
  ASSERT_TRUE(taken) << taken.status().message();
}

}  // namespace
}  // namespace pot::testing
