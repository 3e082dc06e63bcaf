// Fork choice: most cumulative trust wins, lower id breaks ties, reorganisation paths.
#include "libcommon/consensus/fork_choice.h"

#include <gtest/gtest.h>

namespace pot {
namespace {

Hash256 id(const std::string& s) { return sha256(s); }

TEST(ForkChoice, MostTrustThenLowerId) {
  TreeEntry a{id("a"), {}, 5, uint256FromU64(100)};
  TreeEntry b{id("b"), {}, 9, uint256FromU64(99)};
  EXPECT_TRUE(betterTip(a, b));
  EXPECT_FALSE(betterTip(b, a));
  b.cumulativeTrust = a.cumulativeTrust;
  EXPECT_EQ(betterTip(a, b), a.id < b.id);
  EXPECT_EQ(betterTip(b, a), b.id < a.id);
}

TEST(ForkChoice, HeavierShorterBranchWinsAndReorganises) {
  BlockTree t;
  t.setRoot(id("g"));
  ASSERT_TRUE(t.add(id("a1"), id("g"), uint256FromU64(10)));
  ASSERT_TRUE(t.add(id("a2"), id("a1"), uint256FromU64(10)));
  ASSERT_TRUE(t.add(id("a3"), id("a2"), uint256FromU64(10)));
  EXPECT_EQ(t.best().id, id("a3"));
  EXPECT_EQ(t.best().height, 3u);
  ASSERT_TRUE(t.add(id("b2"), id("a1"), uint256FromU64(15)));
  EXPECT_EQ(t.best().id, id("a3"));                           // 25 < 30
  ASSERT_TRUE(t.add(id("b3"), id("b2"), uint256FromU64(6)));  // 31 > 30
  EXPECT_EQ(t.best().id, id("b3"));
  auto r = t.path(id("a3"), id("b3"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->fork, id("a1"));
  EXPECT_EQ(r->disconnect, (std::vector<Hash256>{id("a3"), id("a2")}));
  EXPECT_EQ(r->connect, (std::vector<Hash256>{id("b2"), id("b3")}));
}

TEST(ForkChoice, EqualTrustGoesToTheLowerHash) {
  BlockTree t;
  t.setRoot(id("g"));
  ASSERT_TRUE(t.add(id("x"), id("g"), uint256FromU64(10)));
  ASSERT_TRUE(t.add(id("y"), id("g"), uint256FromU64(10)));
  EXPECT_EQ(t.best().id, std::min(id("x"), id("y")));
}

TEST(ForkChoice, UnknownParentRefused) {
  BlockTree t;
  t.setRoot(id("g"));
  EXPECT_FALSE(t.add(id("x"), id("nope"), uint256FromU64(1)));
  EXPECT_EQ(t.size(), 1u);
  // Adding again is harmless.
  ASSERT_TRUE(t.add(id("x"), id("g"), uint256FromU64(1)));
  ASSERT_TRUE(t.add(id("x"), id("g"), uint256FromU64(1)));
  EXPECT_EQ(t.size(), 2u);
}

}  // namespace
}  // namespace pot
