// Signatures checked ahead of validation: the ids they give are the ids validation would hash,
// and one broken signature is seen as broken, the wrapper's apart from the others.
#include "libcommon/consensus/block_signatures.h"

#include "consensus_fixture.h"

namespace pot::testing {
namespace {

class BlockSignaturesTest : public ConsensusFixture {
 protected:
  static BlockSignatures checkAll(schema::Block::Reader block) {
    BlockSignatures s = checkWrapper(block);
    checkOtherSignatures(block, s);
    return s;
  }
  static void flip(capnp::Data::Builder sig) { sig[3] ^= 1; }
};

TEST_F(BlockSignaturesTest, TheIdsAreTheMessageIds) {
  auto block = round2.block->envelope().getBlock();
  BlockSignatures s = checkWrapper(block);
  EXPECT_TRUE(s.wrapperVerified);
  EXPECT_FALSE(s.othersChecked);
  EXPECT_FALSE(s.allVerified);
  EXPECT_EQ(s.blockId, blockIdOf(block));
  checkOtherSignatures(block, s);
  EXPECT_TRUE(s.othersChecked);
  EXPECT_TRUE(s.allVerified);
  EXPECT_EQ(s.headerId, headerIdOf(block.getBody().getHeader()));
  auto tds = block.getBody().getDeclarations();
  ASSERT_EQ(s.declarationIds.size(), tds.size());
  ASSERT_GE(tds.size(), 2u);
  for (uint32_t i = 0; i < tds.size(); ++i)
    EXPECT_EQ(s.declarationIds[i], messageId(Domain::kDeclaration, tds[i].getBody()));
}

TEST_F(BlockSignaturesTest, OneBrokenInnerSignatureLeavesTheWrapperVerified) {
  // Each inner signature broken in turn, the block re-wrapped so the
  // wrapper's still verifies.
  std::vector<std::function<void(Edit&)>> breaks{
      [](Edit& e) { flip(e.block().getBody().getHeader().getSignature()); },
      [](Edit& e) { flip(e.block().getBody().getDeclarations()[1].getSignature()); },
      [](Edit& e) { flip(e.block().getBody().getStakeholderSignatures()[0].getSignature()); },
  };
  for (size_t i = 0; i < breaks.size(); ++i) {
    auto e = edit(*round2.block);
    breaks[i](*e);
    reseal(*e, kBlockSig);
    BlockSignatures s = checkAll(e->block().asReader());
    EXPECT_TRUE(s.wrapperVerified) << i;
    EXPECT_FALSE(s.allVerified) << i;
    EXPECT_EQ(s.blockId, blockIdOf(e->block().asReader())) << i;
  }
}

TEST_F(BlockSignaturesTest, ABrokenWrapperIsNotAllVerified) {
  auto e = edit(*round2.block);
  flip(e->block().getSignature());
  BlockSignatures s = checkAll(e->block().asReader());
  EXPECT_FALSE(s.wrapperVerified);
  EXPECT_FALSE(s.allVerified);
  EXPECT_EQ(s.blockId, blockIdOf(round2.block->envelope().getBlock()));  // the id excludes it
}

}  // namespace
}  // namespace pot::testing
