// pot-chaind's store: a new store seeded from a genesis, refusals at open, and
// the read-only chain view other tools use.
#include "libcommon/store/chain_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "libcommon/consensus/genesis.h"
#include "libcommon/core/fileio.h"

namespace {

namespace fs = std::filesystem;

class ChainStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pot-chain-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto key = pot::SigningKey::generate();
    ASSERT_TRUE(key);
    address_ = key->publicKey();
    pot::GenesisOptions o;
    o.params = pot::defaultChainParams();
    o.allocations.push_back({address_, 5000});
    o.timestamp = 1700000000;
    auto bytes = pot::makeGenesis(o);
    ASSERT_TRUE(bytes) << bytes.status().message();
    genesis_ = dir_ + "/genesis";
    ASSERT_TRUE(pot::writeFileAtomic(genesis_, *bytes));
    genesisId_ = pot::sha256(*bytes);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_, genesis_;
  pot::Address address_;
  pot::Hash256 genesisId_;
};

TEST_F(ChainStoreTest, NewStoreStartsAtGenesisWithItsAllocations) {
  auto chain = pot::chaind::ChainStore::open(dir_ + "/db", genesis_, false);
  ASSERT_TRUE(chain) << chain.status().message();
  auto tip = (*chain)->tip();
  ASSERT_TRUE(tip);
  EXPECT_EQ(tip->height, 0u);
  EXPECT_EQ(tip->id, genesisId_);
  auto acc = (*chain)->account(address_);
  ASSERT_TRUE(acc && acc->has_value());
  EXPECT_EQ((*acc)->balance, 5000u);
  EXPECT_FALSE((*chain)->stateRecord(pot::sha256("nothing"))->has_value());
}

// The layout of docs/protocol.md ("pot-chaind"), schema version 3: heights
// as big-endian keys, integers in records little-endian.
TEST_F(ChainStoreTest, RecordsKeepTheirLayoutOnDisk) {
  auto chain = pot::chaind::ChainStore::open(dir_ + "/db", genesis_, false);
  ASSERT_TRUE(chain) << chain.status().message();
  auto txn = (*chain)->env().beginRead();
  ASSERT_TRUE(txn);
  auto supply = txn->get("chain", "supply");
  ASSERT_TRUE(supply && supply->has_value());
  EXPECT_EQ(**supply, (pot::Bytes{0x88, 0x13, 0, 0, 0, 0, 0, 0}));  // 5000
  auto atZero = txn->get("active", pot::Bytes(8, 0));
  ASSERT_TRUE(atZero && atZero->has_value());
  EXPECT_EQ(**atZero, pot::Bytes(genesisId_.bytes.begin(), genesisId_.bytes.end()));
  auto info = txn->get("infos", genesisId_);
  ASSERT_TRUE(info && info->has_value());
  ASSERT_EQ((*info)->size(), 144u);
  // id, parent, height (le64), timestamp (le64) = 1700000000 = 0x6553f100.
  EXPECT_EQ(pot::Bytes((*info)->begin() + 72, (*info)->begin() + 80),
            (pot::Bytes{0x00, 0xf1, 0x53, 0x65, 0, 0, 0, 0}));
}

TEST_F(ChainStoreTest, OpenRefusesMissingGenesisAndAnotherGenesis) {
  auto none = pot::chaind::ChainStore::open(dir_ + "/db", "", false);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().code(), pot::ExitCode::kUsage);
  ASSERT_TRUE(pot::chaind::ChainStore::open(dir_ + "/db", genesis_, false));
  pot::Bytes other{1, 2, 3};
  ASSERT_TRUE(pot::writeFileAtomic(dir_ + "/other", other));
  auto wrong = pot::chaind::ChainStore::open(dir_ + "/db", dir_ + "/other", false);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.status().code(), pot::ExitCode::kIo);
  // Reopened without --genesis it knows its chain.
  EXPECT_TRUE(pot::chaind::ChainStore::open(dir_ + "/db", "", false));
}

TEST_F(ChainStoreTest, ReadOnlyViewOfAStore) {
  // One environment per process (LMDB's rule): the writer closes first here;
  // across processes pot-chaind keeps writing while tools read.
  ASSERT_TRUE(pot::chaind::ChainStore::open(dir_ + "/db", genesis_, false));
  auto view = pot::chaind::StoreChainView::open(dir_ + "/db");
  ASSERT_TRUE(view) << view.status().message();
  EXPECT_EQ((*view)->tip().id, genesisId_);
  EXPECT_EQ((*view)->genesis().id, genesisId_);
  ASSERT_TRUE((*view)->blockInfo(genesisId_));
  EXPECT_FALSE((*view)->blockInfo(pot::sha256("unknown")));
  const pot::LedgerReader* state = (*view)->stateAt(genesisId_);
  ASSERT_NE(state, nullptr);
  EXPECT_EQ(state->account(address_)->balance, 5000u);
  EXPECT_EQ(state->totalSupply(), 5000u);
  EXPECT_EQ((*view)->stateAt(pot::sha256("unknown")), nullptr);
  auto missing = pot::chaind::StoreChainView::open(dir_ + "/absent");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), pot::ExitCode::kIo);
}

}  // namespace
