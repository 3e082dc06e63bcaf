// The best chain's height as a daemon without a store of its own sees it
// (pot-gossip, pot-repo), for its log lines (DESIGN 6: every daemon line
// carries the height).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace pot::net {

// Asks a pot-chaind's `tip` now and then. The endpoint is given, or read
// from pot-chaind's endpoint file (pot-chaind may start after the asking
// daemon, as in scripts/pot-node). A log line must never wait on the
// network for long: answers are kept for `refresh`, and an ask waits at most
// `timeout`; an unknown height (no endpoint yet, no answer) is nullopt.
class ChaindHeight {
 public:
  ChaindHeight(std::string endpoint, std::string endpointFile,
               std::chrono::milliseconds refresh = std::chrono::seconds(2),
               std::chrono::milliseconds timeout = std::chrono::milliseconds(200));
  std::optional<uint64_t> operator()();

 private:
  std::string endpoint_, endpointFile_;
  std::chrono::milliseconds refresh_, timeout_;
  std::chrono::steady_clock::time_point asked_{};
  bool everAsked_ = false;
  std::optional<uint64_t> height_;
};

}  // namespace pot::net
