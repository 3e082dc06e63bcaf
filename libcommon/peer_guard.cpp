// Dropping misbehaving peers (see peer_guard.h).
#include "libcommon/peer_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

namespace pot::net {

Result<Frames> receiveFrom(zmq::socket_t& socket, PeerOrigin& origin) {
  origin = PeerOrigin{};
  Frames frames;
  try {
    for (;;) {
      zmq::message_t msg;
      auto got =
          socket.recv(msg, frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none);
      if (!got) return frames;
      // Frames read off a connection carry its metadata; a ROUTER's routing
      // id frame may not, so any frame that has it wins.
      if (const char* a = zmq_msg_gets(msg.handle(), "Peer-Address")) origin.address = a;
      // ZMQ_SRCFD is deprecated in libzmq 4.3 but is the only way to reach a
      // ROUTER peer's connection; without it a drop only bans.
      if (int fd = zmq_msg_get(msg.handle(), ZMQ_SRCFD); fd >= 0) origin.fd = fd;
      auto p = static_cast<const uint8_t*>(msg.data());
      frames.emplace_back(p, p + msg.size());
      if (!msg.more()) return frames;
    }
  } catch (const zmq::error_t& e) {
    return Status::io(std::string("cannot receive: ") + e.what());
  }
}

void BanList::ban(const std::string& address, SteadyClock::time_point now) {
  if (address.empty() || capacity_ == 0) return;
  if (!until_.count(address) && until_.size() >= capacity_) {
    for (auto it = until_.begin(); it != until_.end();)
      it = it->second <= now ? until_.erase(it) : std::next(it);
    if (until_.size() >= capacity_)
      until_.erase(std::min_element(until_.begin(), until_.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      }));
  }
  until_[address] = now + duration_;
}

bool BanList::banned(const std::string& address, SteadyClock::time_point now) {
  auto it = until_.find(address);
  if (it == until_.end()) return false;
  if (it->second > now) return true;
  until_.erase(it);
  return false;
}

std::vector<std::string> BanList::addresses() const {
  std::vector<std::string> out;
  for (const auto& [address, until] : until_) out.push_back(address);
  return out;
}

namespace {
// libzmq asks a handler bound here about every handshake on a socket that
// has a ZAP domain (RFC 27).
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr const char* kZapDomain = "pot";

// The IP at the other end of `fd`, as libzmq spells Peer-Address; empty for
// a local (unix) socket or a closed descriptor.
std::string peerIp(int fd, bool& isLocal) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  isLocal = false;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET)
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  else if (ss.ss_family == AF_INET6)
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
  else
    isLocal = ss.ss_family == AF_UNIX;
  return buf;
}
}  // namespace

PeerGuard::PeerGuard(const GuardOptions& o)
    : zap_(context(), zmq::socket_type::rep), bans_(o.maxBans, o.banDuration) {}

PeerGuard::~PeerGuard() {
  // Closing a socket frees its inproc name only later, on libzmq's reaper
  // thread; unbinding frees it now, so a new guard can take over at once.
  try {
    zap_.unbind(kZapEndpoint);
  } catch (const zmq::error_t&) {
  }
}

Result<std::unique_ptr<PeerGuard>> PeerGuard::create(const GuardOptions& options) {
  std::unique_ptr<PeerGuard> g(new PeerGuard(options));
  try {
    g->zap_.set(zmq::sockopt::linger, 0);
    g->zap_.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    return Status::internal(std::string("cannot bind the ZAP handler: ") + e.what());
  }
  return g;
}

void PeerGuard::protect(zmq::socket_t& socket) { socket.set(zmq::sockopt::zap_domain, kZapDomain); }

void PeerGuard::answerHandshake() {
  auto req = receive(zap_, true);
  if (!req || req->empty()) return;
  // [version, request id, domain, address, routing id, mechanism, credentials...]
  const Frames& f = *req;
  const bool wellFormed = f.size() >= 6 && text(f[0]) == "1.0";
  const std::string address = wellFormed ? text(f[3]) : "";
  std::string status = "200", why = "OK";
  if (!wellFormed) {
    status = "500";
    why = "bad ZAP request";
  } else if (bans_.banned(address, SteadyClock::now())) {
    status = "400";
    why = "banned";
    ++refusedHandshakes_;
  }
  (void)send(zap_, {frame("1.0"), f.size() > 1 ? f[1] : Bytes{}, frame(status), frame(why), Bytes{},
                    Bytes{}});
}

bool PeerGuard::banned(const PeerOrigin& origin) {
  return bans_.banned(origin.address, SteadyClock::now());
}

void PeerGuard::drop(const PeerOrigin& origin, std::chrono::milliseconds grace) {
  ++dropped_;
  const auto now = SteadyClock::now();
  bans_.ban(origin.address, now);
  if (origin.fd < 0) return;
  if (grace.count() == 0) {
    disconnect(origin);
    return;
  }
  // Bounded like the bans: a connection closed late is no worse than one
  // whose messages are ignored.
  if (closing_.size() < 1024) closing_.emplace_back(now + grace, origin);
}

void PeerGuard::tick() {
  const auto now = SteadyClock::now();
  for (auto it = closing_.begin(); it != closing_.end();) {
    if (it->first > now) {
      ++it;
      continue;
    }
    disconnect(it->second);
    it = closing_.erase(it);
  }
}

void PeerGuard::disconnect(const PeerOrigin& origin) {
  // The descriptor belongs to libzmq's I/O thread, which may have closed it
  // and reused the number for another connection by now: shut it only when
  // it still leads to the same address. A shutdown (not a close) makes that
  // thread see end-of-stream and tear the connection down itself.
  if (origin.fd < 0) return;
  bool isLocal = false;
  const std::string ip = peerIp(origin.fd, isLocal);
  if ((origin.address.empty() && isLocal) || (!ip.empty() && ip == origin.address))
    ::shutdown(origin.fd, SHUT_RDWR);
}

}  // namespace pot::net
