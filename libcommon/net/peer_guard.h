// Dropping misbehaving peers (DESIGN 6): bans by IP address for a while, a
// ZAP handler that refuses a banned address's handshakes, and closing the
// TCP connection a bad message came on. Shared by pot-gossip, pot-chaind
// and pot-repo.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "libcommon/core/status.h"
#include "libcommon/net/net.h"

namespace pot::net {

using SteadyClock = std::chrono::steady_clock;

// Where a message received on a ROUTER socket came from.
struct PeerOrigin {
  std::string address;  // the peer's IP; empty over ipc
  bool local = false;   // over ipc: a user of this machine, never banned
  int fd = -1;          // the connection's socket, so it can be closed
};

// Receives one multipart message like receive(), and where it came from.
Result<Frames> receiveFrom(zmq::socket_t& socket, PeerOrigin& origin);

// Addresses banned until a deadline. Bounded: when full, the ban that would
// end first makes room, so a flood of bad peers cannot grow it without end.
class BanList {
 public:
  BanList(size_t capacity, std::chrono::milliseconds duration)
      : capacity_(capacity), duration_(duration) {}
  void ban(const std::string& address, SteadyClock::time_point now);
  bool banned(const std::string& address, SteadyClock::time_point now);  // forgets expired bans
  size_t size() const { return until_.size(); }
  // The addresses still banned at `now` (expired bans are only forgotten on look-up).
  std::vector<std::string> addresses(SteadyClock::time_point now) const;

 private:
  size_t capacity_;
  std::chrono::milliseconds duration_;
  std::map<std::string, SteadyClock::time_point> until_;
};

struct GuardOptions {
  std::chrono::milliseconds banDuration = std::chrono::minutes(10);
  size_t maxBans = 4096;
  // Never banned, only disconnected (see trustedAddresses).
  std::vector<std::string> trusted = {"127.0.0.1", "::1"};
};

// The addresses a server never bans: this machine's own (every interface's,
// loopback included), since the node's own tools connect from them and a
// bug or typo in one must not lock the node out; plus the --trust
// addresses. "--trust none" alone trusts nobody.
std::vector<std::string> trustedAddresses(const std::vector<std::string>& option);

// A server's defence against a peer that sends garbage: the peer's address
// is banned, its connection is closed, its further messages are ignored and
// its reconnects are refused at the handshake until the ban ends.
class PeerGuard {
 public:
  // Binds the ZAP handler of the process's context (there is one per
  // context); create the guard before the sockets it protects bind.
  static Result<std::unique_ptr<PeerGuard>> create(const GuardOptions& options);
  ~PeerGuard();

  // New connections to `socket` are asked about at the handshake.
  void protect(zmq::socket_t& socket);

  // The ZAP socket: poll it for ZMQ_POLLIN in the server loop, then call
  // answerHandshake(). Until answered, a connecting peer waits.
  zmq::socket_t& handshakes() { return zap_; }
  void answerHandshake();

  bool banned(const PeerOrigin& origin);
  bool trusted(const PeerOrigin& origin) const;
  // Bans the origin's address (unless trusted) and closes its connection
  // after `grace`, so an error reply sent just before can still leave.
  void drop(const PeerOrigin& origin,
            std::chrono::milliseconds grace = std::chrono::milliseconds(0));
  // Closes the origin's connection after `grace`, without a ban: a peer that
  // is not at fault (of another chain, say) learns why and goes.
  void close(const PeerOrigin& origin, std::chrono::milliseconds grace);
  // Closes connections whose grace has ended; call every loop turn.
  void tick();
  // Closes the origin's connection without a ban (a full server, or a
  // banned peer's message that was already on its way).
  static void disconnect(const PeerOrigin& origin);

  uint64_t dropped() const { return dropped_; }
  uint64_t refusedHandshakes() const { return refusedHandshakes_; }
  const BanList& bans() const { return bans_; }

 private:
  explicit PeerGuard(const GuardOptions& options);

  // A connection to close later, named by both of its ends: by then libzmq
  // may have closed the descriptor and given its number to another one.
  struct Closing {
    SteadyClock::time_point at;
    int fd;
    std::string ends;
  };

  zmq::socket_t zap_;
  BanList bans_;
  std::vector<std::string> trusted_;
  std::vector<Closing> closing_;
  uint64_t dropped_ = 0, refusedHandshakes_ = 0;
};

}  // namespace pot::net
