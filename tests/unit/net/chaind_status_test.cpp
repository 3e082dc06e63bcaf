// The status query's view over a real LMDB chain store of two real blocks:
// height and tip age, sync peers ahead or level, an account's stake and its
// rewards from the coinbases, the JSON round trip and the human lines.
#include "libcommon/net/chaind_status.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "../consensus/consensus_fixture.h"
#include "libcommon/core/fileio.h"

namespace pot::chaind {
namespace {

using pot::testing::ConsensusFixture;

class ChaindStatus : public ConsensusFixture {
 protected:
  void SetUp() override {
    ConsensusFixture::SetUp();
    if (HasFatalFailure()) return;
    char tmpl[] = "/tmp/pot-chaind-status-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(writeFileAtomic(dir_ + "/genesis", genesisBytes));
    auto store = ChainStore::open(dir_ + "/db", dir_ + "/genesis", false);
    ASSERT_TRUE(store) << store.status().message();
    store_ = std::move(*store);
    auto one = store_->importBlock(round1.block->bytes(), round1.now);
    ASSERT_TRUE(one) << one.status().message();
    auto two = store_->importBlock(round2.block->bytes(), round2.now);
    ASSERT_TRUE(two) << two.status().message();
    id1_ = one->id;
    id2_ = two->id;
    tipTime_ = round2.block->envelope().getBlock().getBody().getHeader().getBody().getTimestamp();
  }
  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::string dir_;
  std::unique_ptr<ChainStore> store_;
  Hash256 id1_, id2_;
  uint64_t tipTime_ = 0;
};

TEST_F(ChaindStatus, TipHeightAndAge) {
  auto v = buildStatus(*store_, NodeView{}, nullptr, tipTime_ + 42, std::nullopt);
  ASSERT_TRUE(v) << v.status().message();
  EXPECT_EQ(v->height, 2u);
  EXPECT_EQ(v->tip, id2_);
  EXPECT_EQ(v->tipAge, 42u);
  EXPECT_FALSE(v->syncing);
  EXPECT_FALSE(v->account);
  // A tip dated ahead of our clock is not of negative age.
  auto early = buildStatus(*store_, NodeView{}, nullptr, tipTime_ - 5, std::nullopt);
  ASSERT_TRUE(early);
  EXPECT_EQ(early->tipAge, 0u);
}

TEST_F(ChaindStatus, SyncingWhileAPeerHasATipWeLack) {
  NodeView node;
  SyncPeerView level{"tcp://127.0.0.1:1", true, id1_, 1, false};  // a block we hold
  SyncPeerView ahead{"tcp://127.0.0.1:2", true, sha256("theirs"), 7, false};
  SyncPeerView bad{"tcp://127.0.0.1:3", true, sha256("bad"), 90, true};  // dropped: not fetched
  SyncPeerView silent{"tcp://127.0.0.1:4", false, Hash256{}, 0, false};
  node.syncPeers = {level, silent, bad};
  node.bannedAddresses = {"127.0.0.2"};
  auto calm = buildStatus(*store_, node, nullptr, tipTime_, std::nullopt);
  ASSERT_TRUE(calm) << calm.status().message();
  EXPECT_FALSE(calm->syncing);
  EXPECT_TRUE(calm->syncPeers[0].tipKnown);
  EXPECT_EQ(calm->syncPeers[2].ahead, 88u);  // reported, though not followed
  node.syncPeers.push_back(ahead);
  auto v = buildStatus(*store_, node, nullptr, tipTime_, std::nullopt);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->syncing);
  EXPECT_EQ(v->behind, 5u);
  EXPECT_EQ(v->bannedAddresses, std::vector<std::string>{"127.0.0.2"});
}

TEST_F(ChaindStatus, AccountStakeAndRewardsFromTheCoinbases) {
  const Address builder1 = nodes[3].publicKey();  // built block 1's header
  auto v = buildStatus(*store_, NodeView{}, nullptr, tipTime_ + 10, builder1);
  ASSERT_TRUE(v) << v.status().message();
  ASSERT_TRUE(v->account);
  const AccountStatus& a = *v->account;
  auto record = store_->account(builder1);
  ASSERT_TRUE(record && record->has_value());
  EXPECT_TRUE(a.exists);
  EXPECT_EQ(a.balance, (*record)->balance);
  EXPECT_EQ(a.stake, a.balance);
  EXPECT_EQ(a.coinAge, tipTime_ + 10 - (*record)->ageSince);
  EXPECT_EQ(a.stakeAge, std::min<uint64_t>(a.coinAge, 100000));
  // Block 1's header builder: one header, newest entry first.
  const auto& header = a.work.totals[static_cast<size_t>(WorkRole::kHeader) - 1];
  EXPECT_EQ(header.count, 1u);
  EXPECT_GT(header.reward, 0u);
  ASSERT_FALSE(a.work.recent.empty());
  for (size_t i = 1; i < a.work.recent.size(); ++i)
    EXPECT_GE(a.work.recent[i - 1].height, a.work.recent[i].height);
  bool built = false;
  for (const auto& r : a.work.recent) {
    EXPECT_EQ(r.block, r.height == 1 ? id1_ : id2_);
    built = built || (r.height == 1 && r.role == WorkRole::kHeader && r.reward == header.reward);
  }
  EXPECT_TRUE(built);
  // The rewards are what the coinbases paid: the balance moved by exactly
  // their sum (this key sent nothing in these blocks).
  uint64_t sum = 0;
  for (const auto& t : a.work.totals) sum += t.reward;
  EXPECT_EQ(a.balance, 1000 * pot::testing::kCoin + sum);
}

TEST_F(ChaindStatus, AnUnknownAccountHasNoStakeAndNoRewards) {
  auto v = buildStatus(*store_, NodeView{}, nullptr, tipTime_, sha256("nobody"));
  ASSERT_TRUE(v);
  ASSERT_TRUE(v->account);
  EXPECT_FALSE(v->account->exists);
  EXPECT_EQ(v->account->balance, 0u);
  EXPECT_TRUE(v->account->work.recent.empty());
  for (const auto& t : v->account->work.totals) EXPECT_EQ(t.count, 0u);
}

TEST_F(ChaindStatus, JsonRoundTripsAndLinesReadWell) {
  NodeView node;
  node.endpoint = "tcp://127.0.0.1:5555";
  node.syncPeers = {{"tcp://127.0.0.1:2", true, sha256("theirs"), 7, false}};
  node.bannedAddresses = {"127.0.0.2", "127.0.0.3"};
  auto v = buildStatus(*store_, node, nullptr, tipTime_ + 3, nodes[3].publicKey());
  ASSERT_TRUE(v);
  auto back = parseStatusJson(statusJson(*v));
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(statusJson(*back), statusJson(*v));
  EXPECT_EQ(back->account->work.recent.size(), v->account->work.recent.size());
  const std::string text = statusText(*v);
  EXPECT_NE(text.find("height 2\n"), std::string::npos);
  EXPECT_NE(text.find("tip " + id2_.hex() + " (3 s old)\n"), std::string::npos);
  EXPECT_NE(text.find("syncing: yes, 5 blocks behind\n"), std::string::npos);
  EXPECT_NE(text.find("sync peer tcp://127.0.0.1:2: height 7 tip " + sha256("theirs").hex() +
                      ", 5 blocks ahead\n"),
            std::string::npos);
  EXPECT_NE(text.find("banned 127.0.0.3\n"), std::string::npos);
  EXPECT_NE(text.find("made height 1 block " + id1_.hex() + " header reward "), std::string::npos);
  EXPECT_NE(text.find("made 1 header (reward "), std::string::npos);
  // Damaged JSON is malformed, not a crash.
  EXPECT_EQ(parseStatusJson("{\"height\": 1}").status().code(), ExitCode::kMalformed);
  EXPECT_EQ(parseStatusJson("[").status().code(), ExitCode::kMalformed);
  // An amount is a decimal string, exact above 2^53; a number there is malformed.
  const std::string json = statusJson(*v);
  const std::string balance = "\"balance\": \"" + std::to_string(v->account->balance) + "\"";
  ASSERT_NE(json.find(balance), std::string::npos);
  std::string big = json;
  big.replace(big.find(balance), balance.size(), "\"balance\": \"18446744073709551615\"");
  auto huge = parseStatusJson(big);
  ASSERT_TRUE(huge) << huge.status().message();
  EXPECT_EQ(huge->account->balance, UINT64_MAX);
  std::string number = json;
  number.replace(number.find(balance), balance.size(), "\"balance\": 5");
  EXPECT_EQ(parseStatusJson(number).status().code(), ExitCode::kMalformed);
  std::string over = json;
  over.replace(over.find(balance), balance.size(), "\"balance\": \"18446744073709551616\"");
  EXPECT_EQ(parseStatusJson(over).status().code(), ExitCode::kMalformed);
}

}  // namespace
}  // namespace pot::chaind
