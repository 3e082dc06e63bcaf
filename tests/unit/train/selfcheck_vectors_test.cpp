// Known-answer vectors: the file's grammar, the verdict, the report bytes and the order in which
// the file is looked for.
#include "libcommon/train/selfcheck_vectors.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

namespace {

pot::SelfcheckCase computed(const char* name, const char* rho, const char* state) {
  return {name, pot::sha256(std::string_view(rho)), pot::sha256(std::string_view(state))};
}

TEST(SelfcheckVectors, ParsesOneProfileSkippingCommentsAndBlankLines) {
  auto a = computed("a", "r", "s");
  std::string text = "# profile case rho state\n\nportable a " + a.rho.hex() + " " +
                     a.stateHash.hex() + "\nx86-64-v3 a 00 11\n";
  auto v = pot::parseSelfcheckVectors(text, "portable", "v.txt");
  ASSERT_TRUE(v) << v.status().message();
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ(v->at("a").rho, a.rho.hex());
  auto none = pot::parseSelfcheckVectors(text, "portable-fast", "v.txt");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  auto bad = pot::parseSelfcheckVectors("portable a 00\n", "portable", "v.txt");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), pot::ExitCode::kMalformed);
  EXPECT_EQ(bad.status().message(), "'v.txt': bad line 'portable a 00'");
}

TEST(SelfcheckVectors, VerdictAndReport) {
  std::vector<pot::SelfcheckCase> cases = {computed("a", "r1", "s1"), computed("b", "r2", "s2")};
  pot::KnownAnswers answers;
  answers["a"] = {cases[0].rho.hex(), cases[0].stateHash.hex()};
  answers["b"] = {cases[1].rho.hex(), cases[0].stateHash.hex()};  // wrong state hash
  auto rows = pot::compareSelfcheck(cases, answers);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].match);
  EXPECT_FALSE(rows[1].match);
  auto s = pot::selfcheckStatus("p", "v.txt", answers, rows);
  EXPECT_EQ(s.code(), pot::ExitCode::kInvalid);
  EXPECT_EQ(s.message(),
            "1 of 2 known-answer stages differ under profile 'p': this machine does not "
            "reproduce the network's bits");
  EXPECT_EQ(pot::selfcheckReport("p", rows, false),
            "p a " + cases[0].rho.hex() + " " + cases[0].stateHash.hex() + " ok\np b " +
                cases[1].rho.hex() + " " + cases[1].stateHash.hex() + " MISMATCH\n");
  EXPECT_EQ(pot::selfcheckReport("p", {rows[0]}, true),
            "[{\"profile\": \"p\", \"case\": \"a\", \"rho\": \"" + cases[0].rho.hex() +
                "\", \"stateHash\": \"" + cases[0].stateHash.hex() + "\", \"match\": true}]\n");
  // No vectors for the profile: the machine cannot be judged.
  auto empty = pot::selfcheckStatus("p", "v.txt", {}, pot::compareSelfcheck(cases, {}));
  EXPECT_EQ(empty.code(), pot::ExitCode::kIo);
  EXPECT_EQ(empty.message(), "'v.txt' has no known-answer vectors for profile 'p'");
  rows[1].match = true;
  EXPECT_TRUE(pot::selfcheckStatus("p", "v.txt", answers, rows).isOk());
}

class VectorsLookup : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/pot-vectors.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    root_ = dir;
    ASSERT_EQ(std::system(("mkdir -p " + root_ + "/bin " + root_ + "/share/pot").c_str()), 0);
    source_ = root_ + "/source-vectors.txt";
  }
  void TearDown() override { std::system(("rm -rf " + root_).c_str()); }
  void touch(const std::string& path) { std::ofstream(path) << "# vectors\n"; }
  std::string root_, source_;
};

TEST_F(VectorsLookup, ExplicitThenInstalledThenSourceTree) {
  std::string installed = root_ + "/bin/../share/pot/selfcheck-vectors.txt";
  // Nothing there: an I/O error naming both places.
  auto none = pot::findSelfcheckVectorsIn("", root_ + "/bin", source_);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.status().code(), pot::ExitCode::kIo);
  EXPECT_NE(none.status().message().find(installed), std::string::npos);
  EXPECT_NE(none.status().message().find(source_), std::string::npos);
  touch(source_);
  EXPECT_EQ(*pot::findSelfcheckVectorsIn("", root_ + "/bin", source_), source_);
  touch(installed);
  EXPECT_EQ(*pot::findSelfcheckVectorsIn("", root_ + "/bin", source_), installed);
  // An explicit file wins and is not checked here: its read reports a missing one.
  EXPECT_EQ(*pot::findSelfcheckVectorsIn("/nonexistent/v.txt", root_ + "/bin", source_),
            "/nonexistent/v.txt");
}

TEST(SelfcheckVectors, SourceTreeCopyIsCompiledIn) {
  std::string path = pot::sourceTreeSelfcheckVectors();
  EXPECT_EQ(path, std::string(POT_SOURCE_DIR) + "/tests/testdata/train/selfcheck-vectors.txt");
  auto v = pot::readSelfcheckVectors(path, "x86-64-v3");
  ASSERT_TRUE(v) << v.status().message();
  EXPECT_EQ(v->size(), 3u);
}

}  // namespace
