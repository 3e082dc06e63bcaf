// Reading pot-gossip's spool folder and message streams back as messages.
#include "libcommon/tool/spool.h"

#include <filesystem>

#include "../consensus/consensus_fixture.h"
#include "libcommon/core/fileio.h"

namespace pot::testing {
namespace {

namespace fs = std::filesystem;

class Spool : public ConsensusFixture {
 protected:
  void SetUp() override {
    ConsensusFixture::SetUp();
    dir = fs::temp_directory_path() / ("pot-spool-test-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "training-declaration");
  }
  void TearDown() override { fs::remove_all(dir); }
  void put(const std::string& name, const Bytes& bytes) {
    ASSERT_TRUE(writeFileAtomic((dir / "training-declaration" / name).string(), bytes));
  }
  fs::path dir;
};

TEST_F(Spool, MessagesOfAKindInFileNameOrder) {
  put("b.msg", round2.declarations[0]->bytes());
  put("a.msg", round2.declarations[1]->bytes());
  put("c.msg", Bytes{1, 2, 3});                         // not a message: not ours to judge
  put("d.msg", round2.header->bytes());                 // another kind in the wrong folder
  put("e.msg.tmp.1", round1.declarations[0]->bytes());  // a write in progress
  auto got = readSpool(dir.string(), schema::Envelope::TRAINING_DECLARATION);
  ASSERT_TRUE(got) << got.status().message();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].path, (dir / "training-declaration" / "a.msg").string());
  EXPECT_EQ((*got)[0].message->bytes(), round2.declarations[1]->bytes());
  EXPECT_EQ((*got)[1].message->bytes(), round2.declarations[0]->bytes());
  EXPECT_EQ(pointersOf(*got).size(), 2u);
}

TEST_F(Spool, AMissingTopicIsEmptyAMissingSpoolAnError) {
  auto none = readSpool(dir.string(), schema::Envelope::BLOCK_HEADER);
  ASSERT_TRUE(none) << none.status().message();
  EXPECT_TRUE(none->empty());
  auto missing = readSpool((dir / "nope").string(), schema::Envelope::BLOCK_HEADER);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), ExitCode::kIo);
}

TEST_F(Spool, StreamsOfOneKind) {
  Bytes stream;
  for (const auto& t : txs2) stream.insert(stream.end(), t->bytes().begin(), t->bytes().end());
  const std::string path = (dir / "pending").string();
  ASSERT_TRUE(writeFileAtomic(path, stream));
  auto got = readMessageStream(path, schema::Envelope::TRANSACTION);
  ASSERT_TRUE(got) << got.status().message();
  ASSERT_EQ(got->size(), txs2.size());
  EXPECT_EQ((*got)[0]->bytes(), txs2[0]->bytes());

  ASSERT_TRUE(writeFileAtomic(path, Bytes{}));
  auto empty = readMessageStream(path, schema::Envelope::TRANSACTION);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  ASSERT_TRUE(writeFileAtomic(path, round2.header->bytes()));
  auto wrong = readMessageStream(path, schema::Envelope::TRANSACTION);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.status().code(), ExitCode::kMalformed);
}

}  // namespace
}  // namespace pot::testing

namespace pot::testing {
namespace {

class SpooledBlock : public ConsensusFixture {};

TEST_F(SpooledBlock, TheWrapperFindsTheNamedDeclarationsAndCountedSignatures) {
  const fs::path dir =
      fs::temp_directory_path() / ("pot-spooled-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto put = [&](const std::string& topic, const std::string& name, const Bytes& bytes) {
    fs::create_directories(dir / topic);
    ASSERT_TRUE(writeFileAtomic((dir / topic / name).string(), bytes));
  };
  // Round 2's declarations and signatures, and round 1's, which do not belong.
  for (size_t i = 0; i < 2; ++i) {
    put("training-declaration", "r2-" + std::to_string(i) + ".msg",
        round2.declarations[i]->bytes());
    put("stakeholder-signature", "r2-" + std::to_string(i) + ".msg", round2.signatures[i]->bytes());
    put("training-declaration", "r1-" + std::to_string(i) + ".msg",
        round1.declarations[i]->bytes());
    put("stakeholder-signature", "r1-" + std::to_string(i) + ".msg", round1.signatures[i]->bytes());
  }
  BlockParts parts;
  parts.header = round2.header.get();
  SpooledParts held;
  Status s = addSpooledParts(*chain, dir.string(), parts, held);
  ASSERT_TRUE(s) << s.message();
  EXPECT_EQ(parts.declarations.size(), 2u);
  EXPECT_EQ(parts.signatures.size(), 2u);
  auto drawn = stakeholdersOf(*chain, round2.header->envelope().getBlockHeader());
  ASSERT_TRUE(drawn);
  auto block = stake(*chain, *keys.at(drawn->back()), parts);
  ASSERT_TRUE(block) << block.status().message();
  EXPECT_TRUE(block->isBlock);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pot::testing
