// Dropping misbehaving peers (see peer_guard.h).
#include "libcommon/net/peer_guard.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

namespace pot::net {

namespace {
// libzmq asks a handler bound here about every handshake on a socket that
// has a ZAP domain (RFC 27).
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr const char* kZapDomain = "pot";

bool isIpLiteral(const std::string& a) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, a.c_str(), buf) == 1 || ::inet_pton(AF_INET6, a.c_str(), buf) == 1;
}

// "IP:port" of one end of a TCP socket, "unix" for a local socket, "" when
// the descriptor is closed or not a socket.
std::string endOf(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (ss.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(in6->sin6_port));
  }
  return ss.ss_family == AF_UNIX ? "unix" : "";
}

std::string ipOf(const std::string& end) { return end.substr(0, end.rfind(':')); }

// Both ends of the connection behind `fd` when it still leads to `origin`
// (its IP, or a local socket for a local origin); "" otherwise.
std::string endsIfFrom(const PeerOrigin& origin) {
  if (origin.fd < 0) return "";
  const std::string peer = endOf(origin.fd, true);
  const bool same = origin.local ? peer == "unix" : !peer.empty() && ipOf(peer) == origin.address;
  return same ? peer + " " + endOf(origin.fd, false) : "";
}
}  // namespace

Result<Frames> receiveFrom(zmq::socket_t& socket, PeerOrigin& origin) {
  origin = PeerOrigin{};
  Frames frames;
  try {
    for (;;) {
      zmq::message_t msg;
      auto got =
          socket.recv(msg, frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none);
      if (!got) return frames;
      // Frames read off a connection carry its metadata; any frame that has
      // it will do.
      if (const char* a = zmq_msg_gets(msg.handle(), "Peer-Address")) origin.address = a;
      // ZMQ_SRCFD is deprecated in libzmq 4.3 but is the only way to reach a
      // ROUTER peer's connection; without it a drop only bans.
      if (int fd = zmq_msg_get(msg.handle(), ZMQ_SRCFD); fd >= 0) origin.fd = fd;
      auto p = static_cast<const uint8_t*>(msg.data());
      frames.emplace_back(p, p + msg.size());
      if (!msg.more()) break;
    }
  } catch (const zmq::error_t& e) {
    return Status::io(std::string("cannot receive: ") + e.what());
  }
  // Over ipc libzmq names the peer "localhost:UID:GID:PID", per process: a
  // user of this machine, not an address to ban.
  if (!isIpLiteral(origin.address)) {
    origin.address.clear();
    origin.local = true;
  }
  return frames;
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

std::vector<std::string> BanList::addresses(SteadyClock::time_point now) const {
  std::vector<std::string> out;
  for (const auto& [address, until] : until_)
    if (until > now) out.push_back(address);
  return out;
}

std::vector<std::string> trustedAddresses(const std::vector<std::string>& option) {
  if (option.size() == 1 && option[0] == "none") return {};
  std::vector<std::string> out = option;
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) == 0) {
    for (ifaddrs* i = all; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr) continue;
      char buf[INET6_ADDRSTRLEN] = {};
      if (i->ifa_addr->sa_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf,
                    sizeof buf);
      else if (i->ifa_addr->sa_family == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, buf,
                    sizeof buf);
      if (buf[0] != 0) out.emplace_back(buf);
    }
    ::freeifaddrs(all);
  }
  // Whatever the interfaces say, loopback is this machine.
  out.emplace_back("127.0.0.1");
  out.emplace_back("::1");
  return out;
}

PeerGuard::PeerGuard(const GuardOptions& o)
    : zap_(context(), zmq::socket_type::rep),
      bans_(o.maxBans, o.banDuration),
      trusted_(o.trusted) {}

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

bool PeerGuard::trusted(const PeerOrigin& origin) const {
  return origin.local ||
         std::find(trusted_.begin(), trusted_.end(), origin.address) != trusted_.end();
}

bool PeerGuard::banned(const PeerOrigin& origin) {
  return !trusted(origin) && bans_.banned(origin.address, SteadyClock::now());
}

void PeerGuard::drop(const PeerOrigin& origin, std::chrono::milliseconds grace) {
  ++dropped_;
  if (!trusted(origin)) bans_.ban(origin.address, SteadyClock::now());
  close(origin, grace);
}

void PeerGuard::close(const PeerOrigin& origin, std::chrono::milliseconds grace) {
  const auto now = SteadyClock::now();
  if (grace.count() == 0) {
    disconnect(origin);
    return;
  }
  // Bounded like the bans: a connection closed late is no worse than one
  // whose messages are ignored.
  // Local (unix) connections have no ends to tell apart, so a reused
  // descriptor could not be recognised: they are only disconnected at once.
  const std::string ends = origin.local ? "" : endsIfFrom(origin);
  if (!ends.empty() && closing_.size() < 1024) closing_.push_back({now + grace, origin.fd, ends});
}

void PeerGuard::tick() {
  const auto now = SteadyClock::now();
  for (auto it = closing_.begin(); it != closing_.end();) {
    if (it->at > now) {
      ++it;
      continue;
    }
    if (endOf(it->fd, true) + " " + endOf(it->fd, false) == it->ends) ::shutdown(it->fd, SHUT_RDWR);
    it = closing_.erase(it);
  }
}

void PeerGuard::disconnect(const PeerOrigin& origin) {
  // Right after the message was read, the descriptor is almost surely the
  // same connection; it is checked anyway, since libzmq's I/O thread owns it
  // and may have closed it and reused the number. A shutdown (not a close)
  // makes that thread see end-of-stream and tear the connection down itself.
  if (!endsIfFrom(origin).empty()) ::shutdown(origin.fd, SHUT_RDWR);
}

}  // namespace pot::net
