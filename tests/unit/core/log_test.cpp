// Daemon log lines: the UTC timestamp, the level, the height and quiet loggers.
#include "libcommon/core/log.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace pot {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

system_clock::time_point at(int64_t unixMillis) {
  return system_clock::time_point(milliseconds(unixMillis));
}

TEST(Log, TimestampIsIso8601UtcWithMilliseconds) {
  EXPECT_EQ(utcTimestamp(at(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(utcTimestamp(at(1700000000123)), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(utcTimestamp(at(1700000000999)), "2023-11-14T22:13:20.999Z");
  // Before 1970 the milliseconds still count up within their second.
  EXPECT_EQ(utcTimestamp(at(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(Log, LineHasTimeLevelToolHeightAndMessage) {
  EXPECT_EQ(formatLogLine(at(1700000000123), LogLevel::kInfo, "pot-chaind", 12, "new tip"),
            "2023-11-14T22:13:20.123Z info pot-chaind height=12: new tip");
  EXPECT_EQ(formatLogLine(at(1700000000000), LogLevel::kWarn, "pot-gossip", std::nullopt,
                          "dropped peer inbound 127.0.0.2: malformed frames"),
            "2023-11-14T22:13:20.000Z warn pot-gossip height=-: dropped peer inbound 127.0.0.2: "
            "malformed frames");
  EXPECT_EQ(formatLogLine(at(0), LogLevel::kError, "pot-repo", 0, "x"),
            "1970-01-01T00:00:00.000Z error pot-repo height=0: x");
}

TEST(Log, LoggerWritesOneLineAndAsksTheHeightEachTime) {
  std::ostringstream out;
  Logger log("pot-chaind", false, &out);
  uint64_t height = 3;
  log.setHeight([&height]() -> std::optional<uint64_t> { return height; });
  log.info("first");
  height = 4;
  log.warn("second");
  const std::string text = out.str();
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_NE(text.find(" info pot-chaind height=3: first\n"), std::string::npos);
  EXPECT_NE(text.find(" warn pot-chaind height=4: second\n"), std::string::npos);
  EXPECT_EQ(text[4], '-');
  EXPECT_EQ(text.substr(23, 2), "Z ");
}

// Every line of every daemon matches one pattern, whatever the message
// holds (colons, "height=" text of its own, an empty message).
TEST(Log, EveryLineSplitsIntoTheSameFourFields) {
  std::ostringstream out;
  Logger chaind("pot-chaind", false, &out), gossip("pot-gossip", false, &out);
  chaind.setHeight([]() -> std::optional<uint64_t> { return 7; });
  chaind.error("cannot export: disk full: x");
  gossip.info("height=9: not a field");
  gossip.warn("");
  std::istringstream lines(out.str());
  std::string line;
  std::vector<std::string> heights, tools;
  while (std::getline(lines, line)) {
    // <time> <level> <tool> height=<n|->: <message>
    ASSERT_GE(line.size(), 25u) << line;
    EXPECT_EQ(line[10], 'T') << line;
    EXPECT_EQ(line.substr(23, 2), "Z ") << line;
    std::istringstream fields(line.substr(25));
    std::string level, tool, height;
    fields >> level >> tool >> height;
    EXPECT_TRUE(level == "info" || level == "warn" || level == "error") << line;
    ASSERT_EQ(height.rfind("height=", 0), 0u) << line;
    ASSERT_EQ(height.back(), ':') << line;
    tools.push_back(tool);
    heights.push_back(height.substr(7, height.size() - 8));
  }
  EXPECT_EQ(tools, (std::vector<std::string>{"pot-chaind", "pot-gossip", "pot-gossip"}));
  EXPECT_EQ(heights, (std::vector<std::string>{"7", "-", "-"}));
}

// A provider that does not know the height (pot-chaind not answering yet).
TEST(Log, UnknownHeightIsADash) {
  std::ostringstream out;
  Logger log("pot-repo", false, &out);
  log.setHeight([]() -> std::optional<uint64_t> { return std::nullopt; });
  log.info("serving");
  EXPECT_NE(out.str().find(" info pot-repo height=-: serving\n"), std::string::npos);
}

TEST(Log, QuietLoggerWritesNothing) {
  std::ostringstream out;
  Logger log("pot-repo", true, &out);
  log.error("not shown");
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace pot
