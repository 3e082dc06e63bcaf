// The tool boundary: edit distance, the nearest option to a mistyped one, and
// the unknown-option message over a real CLI11 app with subcommands.
#include "libcommon/tool/tool.h"

#include <gtest/gtest.h>

namespace pot {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(editDistance("", ""), 0u);
  EXPECT_EQ(editDistance("abc", ""), 3u);
  EXPECT_EQ(editDistance("", "abc"), 3u);
  EXPECT_EQ(editDistance("--sync-frm", "--sync-from"), 1u);
  EXPECT_EQ(editDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(editDistance("--quite", "--quiet"), 1u);
  EXPECT_EQ(editDistance("stauts", "status"), 1u);
  EXPECT_EQ(editDistance("stauts", "state"), 2u);
}

TEST(NearestName, PicksTheClosestWhenCloseEnough) {
  const std::vector<std::string> names = {"--db", "--genesis", "--sync-from", "--sync-batch",
                                          "--quiet"};
  EXPECT_EQ(nearestName("--sync-frm", names), "--sync-from");
  EXPECT_EQ(nearestName("--genisis", names), "--genesis");
  EXPECT_EQ(nearestName("--quite", names), "--quiet");
  // Nothing near: no suggestion rather than a silly one.
  EXPECT_EQ(nearestName("--frobnicate-everything", names), std::nullopt);
  EXPECT_EQ(nearestName("--x", {}), std::nullopt);
}

TEST(NearestName, ASwapOfNeighboursIsOneSlip) {
  EXPECT_EQ(nearestName("stauts", {"state", "status"}), "status");
}

TEST(NearestName, TiesGoToTheEarlierCandidate) {
  EXPECT_EQ(nearestName("--ab", {"--ac", "--ad"}), "--ac");
}

class UnknownOption : public ::testing::Test {
 protected:
  void SetUp() override {
    app.require_subcommand(1);
    app.set_version_flag("--version", "pot-x 0");
    run = app.add_subcommand("run", "run");
    run->add_option("--sync-from", from, "peer");
    run->add_flag("-q,--quiet", quiet, "quiet");
    auto* other = app.add_subcommand("query", "query");
    other->add_option("--connect", connect, "endpoint")->required();
  }
  // Parses like toolMain and returns what it would print for a parse error.
  std::optional<std::string> unknownIn(std::vector<std::string> args) {
    std::vector<std::string> argv = {"pot-x"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    try {
      app.parse(static_cast<int>(raw.size()), raw.data());
    } catch (const CLI::ParseError& e) {
      if (auto unknown = unknownOptionMessage(app, args)) return unknown;
      return std::string("other parse error: ") + e.what();
    }
    return std::nullopt;
  }
  CLI::App app{"test", "pot-x"};
  CLI::App* run = nullptr;
  std::string from, connect;
  bool quiet = false;
};

TEST_F(UnknownOption, SuggestsTheNearestOptionOfTheParsedSubcommand) {
  EXPECT_EQ(unknownIn({"run", "--sync-frm", "tcp://127.0.0.1:1"}),
            "unknown option '--sync-frm'; did you mean '--sync-from'?");
  EXPECT_EQ(unknownIn({"run", "--sync-frm=tcp://127.0.0.1:1"}),
            "unknown option '--sync-frm'; did you mean '--sync-from'?");
}

TEST_F(UnknownOption, ComesBeforeTheMissingOptionItCaused) {
  EXPECT_EQ(unknownIn({"query", "--conect", "tcp://127.0.0.1:1"}),
            "unknown option '--conect'; did you mean '--connect'?");
  EXPECT_EQ(unknownIn({"--verison"}), "unknown option '--verison'; did you mean '--version'?");
  EXPECT_EQ(unknownIn({"query"}), "other parse error: --connect is required");
}

TEST_F(UnknownOption, NamesAnUnknownOptionWithNothingNear) {
  EXPECT_EQ(unknownIn({"run", "--frobnicate-everything"}),
            "unknown option '--frobnicate-everything'");
}

TEST_F(UnknownOption, KnownOptionsStdinAndNumbersAreNotUnknown) {
  EXPECT_EQ(unknownIn({"run", "--sync-from", "-", "-q"}), std::nullopt);
  // Asked of the parsed app: "-" is stdin, "-5" a number, and after "--"
  // come positional arguments.
  EXPECT_EQ(unknownOptionMessage(app, {"run", "--sync-from", "-", "-q", "-5"}), std::nullopt);
  EXPECT_EQ(unknownOptionMessage(app, {"run", "--", "--not-an-option"}), std::nullopt);
}

}  // namespace
}  // namespace pot
