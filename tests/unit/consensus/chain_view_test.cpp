// A chain in memory: competing blocks, the best tip by cumulative trust, reorganisation, replay
// from files.
#include "libcommon/consensus/chain_view.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "consensus_fixture.h"
#include "libcommon/consensus/memory_chain.h"
#include "libcommon/core/fileio.h"

namespace pot::testing {
namespace {

class Chain : public ConsensusFixture {};

TEST_F(Chain, HeavierBranchWinsAndReorganises) {
  // A competing stage-1 block on block 1: other declarers, another builder.
  Round alt = playRound(modelId, 1, {&nodes[2], &nodes[3]}, &nodes[1], {}, round2.now + 7);
  ASSERT_TRUE(alt.block);
  const Hash256 b2 = blockIdOf(round2.block->envelope().getBlock());
  const Hash256 a2 = blockIdOf(alt.block->envelope().getBlock());

  // Block 3 on the competing branch, built in a second chain that only knows it.
  auto second = MemoryChain::create(chain->genesis());
  ASSERT_TRUE(second);
  ASSERT_TRUE((*second)->addBlock(*round1.block, round1.now));
  ASSERT_TRUE((*second)->addBlock(*alt.block, alt.now));
  std::swap(chain, *second);
  Round a3 = playRound(modelId, 2, {&nodes[0], &nodes[1]}, &nodes[2], {}, alt.now + 2000);
  std::swap(chain, *second);
  ASSERT_TRUE(a3.block);

  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  EXPECT_EQ(chain->tip().id, b2);
  ASSERT_TRUE(chain->addBlock(*alt.block, alt.now));
  // Two blocks at height 2: more trust wins, a tie goes to the lower id.
  auto ib = *chain->blockInfo(b2), ia = *chain->blockInfo(a2);
  const Hash256 best =
      betterTip({b2, {}, 2, ib.cumulativeTrust}, {a2, {}, 2, ia.cumulativeTrust}) ? b2 : a2;
  EXPECT_EQ(chain->tip().id, best);

  ASSERT_TRUE(chain->addBlock(*a3.block, a3.now));
  const Hash256 a3id = blockIdOf(a3.block->envelope().getBlock());
  // Every block adds the same trust, 2^256 / (header base target + 1), so
  // the longer branch wins whatever its stakers staked.
  auto i3 = *chain->blockInfo(a3id);
  ib = *chain->blockInfo(b2);
  EXPECT_EQ(ia.cumulativeTrust, ib.cumulativeTrust);
  EXPECT_TRUE(ia.cumulativeTrust < i3.cumulativeTrust);
  const Hash256 expected = a3id;
  EXPECT_EQ(chain->tip().id, expected);
  EXPECT_EQ(chain->tip().height, 3u);
  EXPECT_EQ(chain->stateAt(a3id)->model(modelId)->lastStage, 2u);
  EXPECT_EQ(chain->stateAt(b2)->model(modelId)->lastStage, 1u);
  // Moving from one branch to the other: disconnect tip first, connect oldest first.
  auto path = chain->tree().path(b2, a3id);
  ASSERT_TRUE(path);
  EXPECT_EQ(path->fork, blockIdOf(round1.block->envelope().getBlock()));
  EXPECT_EQ(path->disconnect, std::vector<Hash256>{b2});
  EXPECT_EQ(path->connect, (std::vector<Hash256>{a2, a3id}));
  auto back = chain->tree().path(a3id, b2);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->disconnect, (std::vector<Hash256>{a3id, a2}));
  EXPECT_EQ(back->connect, std::vector<Hash256>{b2});
  // Adding a known block again changes nothing.
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  EXPECT_EQ(chain->tip().id, expected);
  EXPECT_EQ(chain->tree().size(), 5u);  // genesis, block 1, two blocks 2, block 3
}

TEST_F(Chain, ReplayFromFiles) {
  namespace fs = std::filesystem;
  char tmpl[] = "/tmp/pot-chain-test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  ASSERT_TRUE(writeFileAtomic(dir + "/genesis", genesisBytes));
  fs::create_directories(dir + "/blocks");
  ASSERT_TRUE(writeFileAtomic(dir + "/blocks/000001.block", round1.block->bytes()));
  auto loaded = loadChain(dir + "/genesis", dir + "/blocks");
  ASSERT_TRUE(loaded) << loaded.status().message();
  EXPECT_EQ((*loaded)->tip().id, chain->tip().id);
  EXPECT_TRUE(validateBlock(**loaded, *round2.block, round2.now).valid());
  // A block that does not validate makes the directory unusable: an error, exit 4.
  ASSERT_TRUE(writeFileAtomic(dir + "/blocks/000000.block", round2.block->bytes()));
  auto broken = loadChain(dir + "/genesis", dir + "/blocks");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.status().code(), ExitCode::kIo);
  EXPECT_NE(broken.status().message().find("unknown-parent"), std::string::npos)
      << broken.status().message();
  // Hidden files are not blocks.
  fs::rename(dir + "/blocks/000000.block", dir + "/blocks/.000000.block");
  EXPECT_TRUE(loadChain(dir + "/genesis", dir + "/blocks"));
  // Nor are the temporaries of an atomic write in progress.
  fs::rename(dir + "/blocks/.000000.block", dir + "/blocks/000002.block.tmp.AbC123");
  EXPECT_TRUE(loadChain(dir + "/genesis", dir + "/blocks"));
  EXPECT_FALSE(loadChain(dir + "/genesis", dir + "/nonexistent"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace pot::testing
