// Daemon log lines (DESIGN 6): a UTC timestamp, a level and, where a chain is kept, its height.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace pot {

// info: what the daemon did; warn: a peer or input it refused, something it
// will retry; error: our own failure (a store, a file, a socket).
enum class LogLevel { kInfo, kWarn, kError };
const char* logLevelName(LogLevel level);

// ISO 8601 in UTC with milliseconds: "2026-12-01T20:03:55.123Z".
std::string utcTimestamp(std::chrono::system_clock::time_point when);

// One line, without the newline:
//   "2026-12-01T20:03:55.123Z info pot-chaind height=12: new tip ..."
// Every line has the four fields, so one pattern splits any daemon's log:
// the height is "-" when the daemon does not know it (pot-gossip or
// pot-repo without a pot-chaind to ask, or that pot-chaind not answering).
std::string formatLogLine(std::chrono::system_clock::time_point when, LogLevel level,
                          std::string_view tool, std::optional<uint64_t> height,
                          std::string_view message);

// The one logger every daemon writes through, so their lines agree.
class Logger {
 public:
  // `out` defaults to stderr (DESIGN 7: messages on stderr). A quiet logger
  // writes nothing.
  Logger(std::string tool, bool quiet, std::ostream* out = nullptr);
  // Asked on every line; pot-chaind answers with its tip's height, pot-gossip
  // and pot-repo with what their pot-chaind said lately (net/chaind_height.h).
  void setHeight(std::function<std::optional<uint64_t>()> height) { height_ = std::move(height); }

  void write(LogLevel level, std::string_view message) const;
  void info(std::string_view message) const { write(LogLevel::kInfo, message); }
  void warn(std::string_view message) const { write(LogLevel::kWarn, message); }
  void error(std::string_view message) const { write(LogLevel::kError, message); }

 private:
  std::string tool_;
  bool quiet_;
  std::ostream* out_;
  std::function<std::optional<uint64_t>()> height_;
};

}  // namespace pot
