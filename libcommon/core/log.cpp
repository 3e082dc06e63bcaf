// Daemon log lines (see log.h).
#include "libcommon/core/log.h"

#include <cstdio>
#include <ctime>
#include <iostream>

namespace pot {

const char* logLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

std::string utcTimestamp(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(when.time_since_epoch()).count();
  // Floor division, so an instant before 1970 still has milliseconds in 0-999.
  std::time_t seconds = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  const int millis = static_cast<int>(((ms % 1000) + 1000) % 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char tail[8];
  std::snprintf(tail, sizeof tail, ".%03dZ", millis);
  return std::string(text, n) + tail;
}

std::string formatLogLine(std::chrono::system_clock::time_point when, LogLevel level,
                          std::string_view tool, std::optional<uint64_t> height,
                          std::string_view message) {
  std::string line = utcTimestamp(when);
  line += ' ';
  line += logLevelName(level);
  line += ' ';
  line += tool;
  line += " height=" + (height ? std::to_string(*height) : std::string("-"));
  line += ": ";
  line += message;
  return line;
}

Logger::Logger(std::string tool, bool quiet, std::ostream* out)
    : tool_(std::move(tool)), quiet_(quiet), out_(out ? out : &std::cerr) {}

void Logger::write(LogLevel level, std::string_view message) const {
  if (quiet_) return;
  std::optional<uint64_t> height = height_ ? height_() : std::nullopt;
  // One insertion and a flush per line, so lines of concurrent writers to a
  // shared log file do not interleave mid-line.
  *out_ << formatLogLine(std::chrono::system_clock::now(), level, tool_, height, message) + "\n"
        << std::flush;
}

}  // namespace pot
