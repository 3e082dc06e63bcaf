// pot-gossip: the relay rule, the flooding daemon and its local clients.
#include "libcommon/net/gossip.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

#include "libcommon/core/fileio.h"
#include "libcommon/core/inspect.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/core/log.h"
#include "libcommon/core/signatures.h"
#include "libcommon/net/chaind_height.h"
#include "libcommon/net/peer_guard.h"

namespace pot::gossip {

namespace {
using Clock = std::chrono::steady_clock;
using schema::Envelope;
}  // namespace

bool isGossiped(Envelope::Which kind) {
  switch (kind) {
    case Envelope::TRAINING_REQUEST:
    case Envelope::TRAINING_DECLARATION:
    case Envelope::BLOCK_HEADER:
    case Envelope::STAKEHOLDER_SIGNATURE:
    case Envelope::BLOCK:
    case Envelope::TRANSACTION:
      return true;
    default:
      return false;
  }
}

std::string topic(Envelope::Which kind) {
  std::string name = kindName(kind);
  for (auto& c : name)
    if (c == ' ') c = '-';
  return name;
}

const char* verdictName(Verdict v) {
  switch (v) {
    case Verdict::kAccept:
      return "accepted";
    case Verdict::kDuplicate:
      return "duplicate";
    case Verdict::kOversized:
      return "oversized";
    case Verdict::kMalformed:
      return "malformed";
    case Verdict::kNotGossiped:
      return "not-gossiped";
    case Verdict::kBadSignature:
      return "bad-signature";
  }
  return "?";
}

net::Frames helloFrames(const Hello& hello) {
  return {
      net::frame("hello"), net::frame(std::to_string(hello.version)),
      hello.genesis ? Bytes(hello.genesis->bytes.begin(), hello.genesis->bytes.end()) : Bytes{}};
}

std::optional<Hello> parseHello(const net::Frames& f, size_t at) {
  if (f.size() <= at || net::text(f[at]) != "hello") return std::nullopt;
  if (f.size() == at + 1) return Hello{0, std::nullopt};  // before versions existed
  if (f.size() != at + 3) return std::nullopt;
  const std::string version = net::text(f[at + 1]);
  if (version.empty() || version.size() > 9 ||
      version.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  Hello h{std::stoull(version), std::nullopt};
  const Bytes& genesis = f[at + 2];
  if (genesis.size() == 32)
    h.genesis = Hash256::fromBytes(genesis.data(), genesis.size());
  else if (!genesis.empty())
    return std::nullopt;
  return h;
}

PeerFrames parsePeerFrames(const net::Frames& f, size_t at, bool refuseAllowed) {
  PeerFrames p;
  if (f.size() == at + 2 && net::text(f[at]) == "msg") {
    p.kind = PeerFrames::Kind::kMessage;
    p.message = &f[at + 1];
  } else if (refuseAllowed && f.size() == at + 2 && net::text(f[at]) == "refuse") {
    p.kind = PeerFrames::Kind::kRefuse;
    p.refusal = net::text(f[at + 1]).substr(0, 300);
  } else if (auto hello = parseHello(f, at)) {
    p.kind = PeerFrames::Kind::kHello;
    p.hello = *hello;
  }
  return p;
}

std::optional<std::string> helloMismatch(const Hello& ours, const Hello& theirs,
                                         const std::string& peer) {
  if (theirs.version != ours.version)
    return "peer " + peer + " speaks gossip protocol version " + std::to_string(theirs.version) +
           ", we speak " + std::to_string(ours.version);
  // A daemon that knows its chain links only to peers that name the same
  // one: a hello without a genesis could come from any chain.
  if (ours.genesis && !theirs.genesis)
    return "peer " + peer + " names no genesis, we are on " + ours.genesis->hex();
  if (ours.genesis && theirs.genesis && *ours.genesis != *theirs.genesis)
    return "peer " + peer + " is on genesis " + theirs.genesis->hex() + ", we are on " +
           ours.genesis->hex();
  return std::nullopt;
}

void SeenSet::insert(const Hash256& id) {
  if (!ids_.insert(id).second) return;
  order_.push_back(id);
  while (order_.size() > capacity_) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
}

Checked check(const Bytes& bytes, uint64_t maxMessageBytes, const SeenSet& seen) {
  Checked c{Verdict::kAccept, "", nullptr, Hash256{}};
  if (bytes.size() > maxMessageBytes) {
    c.verdict = Verdict::kOversized;
    c.reason = "message of " + std::to_string(bytes.size()) + " bytes exceeds " +
               std::to_string(maxMessageBytes);
    return c;
  }
  ReadLimits limits;
  limits.maxBytes = maxMessageBytes;
  auto m = decodeMessage(bytes, limits);
  if (!m) {
    c.verdict = Verdict::kMalformed;
    c.reason = m.status().message();
    return c;
  }
  if (!isGossiped((*m)->kind())) {
    c.verdict = Verdict::kNotGossiped;
    c.reason = "a " + kindName((*m)->kind()) + " is not gossiped";
    return c;
  }
  // The seen set holds only messages whose signature verified, so a copy
  // with a known id is dropped before the costly verify: duplicates from
  // honest flooding and replays cost a hash, not an Ed25519 check.
  c.id = envelopeId(**m);
  if (seen.contains(c.id)) {
    c.verdict = Verdict::kDuplicate;
    c.reason = "already seen " + c.id.hex();
    return c;
  }
  if (!hasValidSignature(**m)) {
    c.verdict = Verdict::kBadSignature;
    c.reason = "the " + kindName((*m)->kind()) + " has an invalid signature";
    return c;
  }
  c.message = std::move(*m);
  return c;
}

// ------------------------------------------------------------------ daemon

namespace {

struct Outbound {
  std::string endpoint;
  std::unique_ptr<zmq::socket_t> socket;  // null while the peer is dropped
  Clock::time_point retryAt;              // when a dropped link is tried again
  // The peer answered our hello with a compatible one: until then nothing
  // is flooded to it and nothing it sends is taken.
  bool agreed = false;
};

// What an inbound connection (a ROUTER routing id) has sent lately: enough
// to tell a replay, bounded so a long-lived peer costs fixed memory.
struct Inbound {
  static constexpr size_t kRecent = 4096;
  Clock::time_point lastSeen;
  net::PeerOrigin origin;
  SeenSet recent{kRecent};
};

class Daemon {
 public:
  explicit Daemon(const Options& o)
      : o_(o),
        seen_(o.seenCapacity),
        log_("pot-gossip", o.quiet),
        hello_{kProtocolVersion, o.genesis} {
    if (!o.chaind.empty() || !o.chaindFile.empty()) {
      auto height = std::make_shared<net::ChaindHeight>(o.chaind, o.chaindFile);
      log_.setHeight([height] { return (*height)(); });
    }
  }

  Status start() {
    auto& ctx = net::context();
    std::ostringstream endpoints;
    net::GuardOptions g;
    g.banDuration = std::chrono::seconds(o_.banSeconds);
    g.trusted = net::trustedAddresses(o_.trusted);
    auto guard = net::PeerGuard::create(g);
    if (!guard) return guard.status();
    guard_ = std::move(*guard);
    router_ = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::router);
    configure(*router_);
    guard_->protect(*router_);  // only peers: the local endpoints are the operator's
    auto ep = net::bind(*router_, o_.bind);
    if (!ep) return ep.status();
    endpoints << "peer " << *ep << "\n";
    if (!o_.control.empty()) {
      control_ = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::router);
      configure(*control_);
      auto c = net::bind(*control_, o_.control);
      if (!c) return c.status();
      endpoints << "control " << *c << "\n";
    }
    if (!o_.events.empty()) {
      events_ = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::xpub);
      events_->set(zmq::sockopt::linger, 0);
      // Subscribers wait for this before they report ready, so a test or
      // script never publishes into a subscription that is not live yet.
      events_->set(zmq::sockopt::xpub_welcome_msg, kWelcome);
      auto e = net::bind(*events_, o_.events);
      if (!e) return e.status();
      endpoints << "events " << *e << "\n";
    }
    for (const auto& peer : o_.peers) {
      POT_TRY(net::checkEndpoint(peer, false));
      auto link = std::make_unique<Outbound>();
      link->endpoint = peer;
      connect(*link);
      outbound_.push_back(std::move(link));
    }
    if (!o_.spoolDir.empty()) {
      if (::mkdir(o_.spoolDir.c_str(), 0755) != 0 && errno != EEXIST)
        return Status::io("cannot create '" + o_.spoolDir + "'");
    }
    net::installStopHandler();
    sayHello();
    const std::string text = endpoints.str();
    if (!o_.endpointFile.empty())
      POT_TRY(writeFileAtomic(o_.endpointFile, reinterpret_cast<const uint8_t*>(text.data()),
                              text.size()));
    std::string oneLine = text.substr(0, text.size() - 1);
    std::replace(oneLine.begin(), oneLine.end(), '\n', ';');
    log_.info("listening: " + oneLine + "; genesis " +
              (o_.genesis ? o_.genesis->hex() : std::string("not given: peers of any chain")));
    return Status::ok();
  }

  Status loop() {
    auto lastHello = Clock::now();
    while (!net::stopRequested()) {
      std::vector<zmq::pollitem_t> items;
      items.push_back({static_cast<void*>(*router_), 0, ZMQ_POLLIN, 0});
      items.push_back({static_cast<void*>(guard_->handshakes()), 0, ZMQ_POLLIN, 0});
      items.push_back({control_ ? static_cast<void*>(*control_) : nullptr, -1, 0, 0});
      items.push_back({events_ ? static_cast<void*>(*events_) : nullptr, -1, 0, 0});
      if (control_) items[2].events = ZMQ_POLLIN;
      if (events_) items[3].events = ZMQ_POLLIN;
      for (auto& link : outbound_)
        items.push_back({link->socket ? static_cast<void*>(*link->socket) : nullptr, -1,
                         static_cast<short>(link->socket ? ZMQ_POLLIN : 0), 0});
      try {
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;
        return Status::io(std::string("poll failed: ") + e.what());
      }
      if (items[0].revents & ZMQ_POLLIN) POT_TRY(onRouter());
      if (items[1].revents & ZMQ_POLLIN) guard_->answerHandshake();
      if (items[2].revents & ZMQ_POLLIN) POT_TRY(onControl());
      if (items[3].revents & ZMQ_POLLIN) (void)net::receive(*events_, true);  // subscriptions
      for (size_t i = 0; i < outbound_.size(); ++i)
        if (items[4 + i].revents & ZMQ_POLLIN) POT_TRY(onOutbound(i));
      guard_->tick();
      if (Clock::now() - lastHello > std::chrono::milliseconds(o_.helloIntervalMs)) {
        pruneSpool();
        redialDropped();
        forgetSilentPeers();
        sayHello();
        lastHello = Clock::now();
      }
    }
    if (!o_.endpointFile.empty()) ::unlink(o_.endpointFile.c_str());
    return Status::ok();
  }

 private:
  void configure(zmq::socket_t& s) {
    s.set(zmq::sockopt::linger, 0);
    // Frames above the cap never reach us: ZeroMQ closes that connection.
    net::setMaxMessageSize(s, o_.maxMessageBytes + 64);
  }

  void connect(Outbound& link) {
    try {
      link.socket = std::make_unique<zmq::socket_t>(net::context(), zmq::socket_type::dealer);
      configure(*link.socket);
      link.socket->connect(link.endpoint);
    } catch (const zmq::error_t& e) {
      // Out of descriptors, say: the daemon carries on and dials again later.
      log_.error("cannot dial " + link.endpoint + ": " + e.what());
      link.socket.reset();
      link.retryAt = Clock::now() + std::chrono::seconds(5);
    }
  }

  // Outbound links announce themselves periodically so the peer's ROUTER can
  // flood back to us, also after either side restarts; each hello carries
  // our version and genesis, so a restarted peer checks them again.
  void sayHello() {
    for (auto& link : outbound_)
      if (link->socket) (void)net::send(*link->socket, helloFrames(hello_));
  }

  // A link we dropped is dialled again once its ban is over: the operator
  // named that peer, and it may have been fixed.
  void redialDropped() {
    for (auto& link : outbound_)
      if (!link->socket && Clock::now() >= link->retryAt) {
        log_.info("dialling dropped peer " + link->endpoint + " again");
        connect(*link);
      }
  }

  // A long-running node's spool would otherwise grow with every message
  // ever flooded, and the scripts that read it would slow down with it.
  void pruneSpool() {
    if (o_.spoolDir.empty() || o_.spoolMaxAgeSeconds == 0) return;
    namespace fs = std::filesystem;
    const auto oldest =
        fs::file_time_type::clock::now() - std::chrono::seconds(o_.spoolMaxAgeSeconds);
    std::error_code ec;
    for (const auto& kind : fs::directory_iterator(o_.spoolDir, ec)) {
      if (!kind.is_directory(ec)) continue;
      for (const auto& f : fs::directory_iterator(kind.path(), ec))
        if (f.path().extension() == ".msg" && f.last_write_time(ec) < oldest)
          fs::remove(f.path(), ec);
    }
  }

  size_t fromAddress(const std::string& address) const {
    size_t n = 0;
    for (const auto& [rid, peer] : inbound_) n += peer.origin.address == address ? 1 : 0;
    return n;
  }

  void forgetSilentPeers() {
    const auto fresh = Clock::now() - std::chrono::milliseconds(5 * o_.helloIntervalMs);
    for (auto it = inbound_.begin(); it != inbound_.end();)
      it = it->second.lastSeen < fresh ? inbound_.erase(it) : std::next(it);
  }

  // A source is an inbound routing id or an outbound link index.
  struct Source {
    const Bytes* routingId = nullptr;
    net::PeerOrigin origin;
    int outbound = -1;
    std::string name;
  };

  Status onRouter() {
    net::PeerOrigin origin;
    auto got = net::receiveFrom(*router_, origin);
    if (!got) return got.status();
    net::Frames& f = *got;
    if (f.empty()) return Status::ok();
    const Bytes& rid = f[0];
    const std::string who = origin.address.empty() ? toHex(rid) : origin.address;
    Source src{&rid, origin, -1, "inbound " + who};
    if (guard_->banned(origin)) {
      // Sent before the ban took effect, or on a connection made before it.
      ++stats_.ignoredFromDropped;
      net::PeerGuard::disconnect(origin);
      inbound_.erase(rid);
      return Status::ok();
    }
    const PeerFrames said = parsePeerFrames(f, 1, /*refuseAllowed=*/false);
    const bool msg = said.kind == PeerFrames::Kind::kMessage;
    std::optional<Hello> hello;
    if (said.kind == PeerFrames::Kind::kHello) hello = said.hello;
    if (!hello && !msg) {
      dropPeer(src, "malformed frames");
      return Status::ok();
    }
    auto peer = inbound_.find(rid);
    if (msg && peer == inbound_.end()) {
      // Not introduced by a hello (yet): a dialler's hello comes first, so
      // this is a link from before our restart; its next hello introduces it.
      ++stats_.unintroduced;
      return Status::ok();
    }
    if (hello) {
      if (auto why = helloMismatch(hello_, *hello, who)) {
        refuseInbound(src, *why);
        return Status::ok();
      }
    }
    if (peer == inbound_.end()) {
      if (inbound_.size() >= o_.maxInboundPeers) forgetSilentPeers();
      if (inbound_.size() >= o_.maxInboundPeers ||
          (!guard_->trusted(origin) && fromAddress(origin.address) >= o_.maxInboundPerAddress)) {
        // Not misbehaviour, so no ban: the connection is closed and the
        // peer may try again later.
        ++stats_.refusedFull;
        net::PeerGuard::disconnect(origin);
        return Status::ok();
      }
      peer = inbound_.emplace(rid, Inbound{}).first;
      peer->second.origin = origin;
      // Our side of the handshake: the dialler checks us in turn.
      net::Frames reply = helloFrames(hello_);
      reply.insert(reply.begin(), rid);
      (void)net::send(*router_, reply);
    }
    peer->second.lastSeen = Clock::now();
    if (msg) onPeerMessage(*said.message, src, &peer->second);
    return Status::ok();
  }

  Status onOutbound(size_t i) {
    auto& link = *outbound_[i];
    auto got = net::receive(*link.socket, true);
    if (!got) return got.status();
    net::Frames& f = *got;
    if (f.empty()) return Status::ok();
    Source src{nullptr, {}, static_cast<int>(i), "outbound " + link.endpoint};
    const PeerFrames said = parsePeerFrames(f, 0, /*refuseAllowed=*/true);
    if (said.kind == PeerFrames::Kind::kMessage) {
      // A link may reconnect under us after the peer restarts, and a
      // restarted peer may send a message again: no replay rule here.
      if (link.agreed)
        onPeerMessage(*said.message, src, nullptr);
      else
        ++stats_.unintroduced;
      return Status::ok();
    }
    if (said.kind == PeerFrames::Kind::kRefuse) {
      ++stats_.refusedHellos;
      refuseOutbound(link, "peer " + link.endpoint + " refused us: " + said.refusal);
      return Status::ok();
    }
    if (said.kind == PeerFrames::Kind::kHello) {
      const Hello* hello = &said.hello;
      if (auto why = helloMismatch(hello_, *hello, link.endpoint)) {
        ++stats_.refusedHellos;
        refuseOutbound(link, *why);
      } else if (!link.agreed) {
        link.agreed = true;
        log_.info("linked to peer " + link.endpoint + " (protocol version " +
                  std::to_string(hello->version) + ")");
      }
      return Status::ok();
    }
    dropPeer(src, "malformed frames");
    return Status::ok();
  }

  // A peer of another chain or version is not misbehaving: it is told why
  // and disconnected, and its address is not banned.
  void refuseInbound(const Source& src, const std::string& why) {
    ++stats_.refusedHellos;
    log_.warn("refused " + src.name + ": " + why);
    // Our hello first, so the dialler sees the mismatch from its side and
    // logs it in its own words; the refusal says why for an older dialler.
    net::Frames hello = helloFrames(hello_);
    hello.insert(hello.begin(), *src.routingId);
    (void)net::send(*router_, hello);
    (void)net::send(*router_, {*src.routingId, net::frame("refuse"), net::frame(why)});
    guard_->close(src.origin, std::chrono::milliseconds(200));  // after the refusal leaves
    inbound_.erase(*src.routingId);
  }

  // Closes our link to a peer we cannot talk to; the operator named it, so it
  // is dialled again later (it may be upgraded or re-set), but not banned.
  void refuseOutbound(Outbound& link, const std::string& why) {
    log_.warn(why + "; disconnected, dialling again in " +
              std::to_string(o_.refusedRetryMs / 1000) + " s");
    link.socket.reset();
    link.agreed = false;
    link.retryAt = Clock::now() + std::chrono::milliseconds(o_.refusedRetryMs);
  }

  void dropPeer(const Source& src, const std::string& why) {
    ++stats_.droppedPeers;
    log_.warn("dropped peer " + src.name + ": " + why);
    if (src.routingId != nullptr) {
      guard_->drop(src.origin);
      inbound_.erase(*src.routingId);
    } else if (src.outbound >= 0) {
      auto& link = *outbound_[src.outbound];
      link.socket.reset();  // closed: no reconnect until the ban is over
      link.agreed = false;
      link.retryAt = Clock::now() + std::chrono::seconds(o_.banSeconds);
    }
  }

  void onPeerMessage(const Bytes& bytes, const Source& src, Inbound* peer) {
    Checked c = check(bytes, o_.maxMessageBytes, seen_);
    if (c.verdict == Verdict::kDuplicate) {
      if (peer && peer->recent.contains(c.id)) {
        ++stats_.refused;
        dropPeer(src, "replay: " + c.reason + " on this connection");
        return;
      }
      if (peer) peer->recent.insert(c.id);
      ++stats_.duplicates;
      return;
    }
    if (c.verdict != Verdict::kAccept) {
      ++stats_.refused;
      dropPeer(src, std::string(verdictName(c.verdict)) + ": " + c.reason);
      return;
    }
    if (peer) peer->recent.insert(c.id);
    accept(c, bytes, &src);
  }

  void accept(const Checked& c, const Bytes& bytes, const Source* src) {
    seen_.insert(c.id);
    ++stats_.accepted;
    const std::string t = topic(c.message->kind());
    log_.info("accepted " + t + " " + c.id.hex().substr(0, 16));
    if (!o_.spoolDir.empty()) {
      const std::string dir = o_.spoolDir + "/" + t;
      ::mkdir(dir.c_str(), 0755);
      Status s = writeFileAtomic(dir + "/" + c.id.hex() + ".msg", bytes);
      if (!s) log_.error("cannot spool: " + s.message());
    }
    if (events_) (void)net::send(*events_, {net::frame(t), bytes});
    // Flood to every peer but the one it came from (DESIGN 6).
    for (const auto& [rid, peer] : inbound_)
      if (!(src && src->routingId && *src->routingId == rid))
        (void)net::send(*router_, {rid, net::frame("msg"), bytes});
    for (size_t i = 0; i < outbound_.size(); ++i) {
      if (!outbound_[i]->socket || !outbound_[i]->agreed ||
          (src && src->outbound == static_cast<int>(i)))
        continue;
      (void)net::send(*outbound_[i]->socket, {net::frame("msg"), bytes});
    }
  }

  Status onControl() {
    auto got = net::receive(*control_, true);
    if (!got) return got.status();
    net::Frames& f = *got;
    if (f.size() < 3 || !f[1].empty()) return Status::ok();  // not a request: ignore
    net::Frames reply{f[0], Bytes{}};
    net::Frames answer;
    const std::string verb = net::text(f[2]);
    if (verb == "publish" && f.size() == 4) {
      Checked c = check(f[3], o_.maxMessageBytes, seen_);
      if (c.verdict == Verdict::kAccept) {
        accept(c, f[3], nullptr);
        answer = net::okReply({Bytes(c.id.bytes.begin(), c.id.bytes.end()), net::frame("new")});
      } else if (c.verdict == Verdict::kDuplicate) {
        answer =
            net::okReply({Bytes(c.id.bytes.begin(), c.id.bytes.end()), net::frame("duplicate")});
      } else {
        ++stats_.refused;
        Status s = c.verdict == Verdict::kBadSignature || c.verdict == Verdict::kNotGossiped
                       ? Status::invalid(std::string(verdictName(c.verdict)) + ": " + c.reason)
                       : Status::malformed(std::string(verdictName(c.verdict)) + ": " + c.reason);
        answer = net::errorReply(s);
      }
    } else if (verb == "stats" && f.size() == 3) {
      answer = net::okReply({net::frame(statsJson())});
    } else {
      answer = net::errorReply(Status::malformed("unknown control request"));
    }
    for (auto& a : answer) reply.push_back(std::move(a));
    (void)net::send(*control_, reply);
    return Status::ok();
  }

  std::string statsJson() const {
    size_t outboundLive = 0;
    for (const auto& l : outbound_) outboundLive += l->socket && l->agreed ? 1 : 0;
    JsonWriter j;
    j.beginObject()
        .field("accepted", stats_.accepted)
        .field("duplicates", stats_.duplicates)
        .field("refused", stats_.refused)
        .field("droppedPeers", stats_.droppedPeers)
        .field("ignoredFromDropped", stats_.ignoredFromDropped)
        .field("bannedAddresses", guard_->bans().size())
        .field("refusedHandshakes", guard_->refusedHandshakes())
        .field("refusedFull", stats_.refusedFull)
        .field("refusedHellos", stats_.refusedHellos)
        .field("unintroduced", stats_.unintroduced)
        .field("inboundPeers", inbound_.size())
        .field("outboundPeers", outboundLive)
        .field("seen", seen_.size())
        .endObject();
    return j.str();
  }

  Options o_;
  SeenSet seen_;
  Logger log_;
  Hello hello_;
  std::unique_ptr<zmq::socket_t> router_, control_, events_;
  std::vector<std::unique_ptr<Outbound>> outbound_;
  std::map<Bytes, Inbound> inbound_;
  std::unique_ptr<net::PeerGuard> guard_;
  struct {
    uint64_t accepted = 0, duplicates = 0, refused = 0, droppedPeers = 0, ignoredFromDropped = 0,
             refusedFull = 0, refusedHellos = 0, unintroduced = 0;
  } stats_;
};

}  // namespace

Status run(const Options& options) {
  Daemon d(options);
  POT_TRY(d.start());
  return d.loop();
}

// ------------------------------------------------------------------ clients

Result<Hash256> publish(const std::string& control, const Bytes& message, int timeoutMs) {
  auto r = net::request(control, {net::frame("publish"), message}, timeoutMs, 1024);
  if (!r) return r.status();
  if (r->empty()) return Status::io("malformed reply from '" + control + "'");
  auto id = Hash256::fromBytes((*r)[0].data(), (*r)[0].size());
  if (!id) return Status::io("malformed reply from '" + control + "'");
  return *id;
}

Result<std::string> stats(const std::string& control, int timeoutMs) {
  auto r = net::request(control, {net::frame("stats")}, timeoutMs, 1 << 16);
  if (!r) return r.status();
  if (r->size() != 1) return Status::io("malformed reply from '" + control + "'");
  return net::text((*r)[0]);
}

Result<uint64_t> subscribe(const SubscribeOptions& o) {
  POT_TRY(net::checkEndpoint(o.events, false));
  zmq::socket_t sub(net::context(), zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  net::setMaxMessageSize(sub, o.maxMessageBytes + 64);
  sub.set(zmq::sockopt::subscribe, kWelcome);
  if (o.kinds.empty()) sub.set(zmq::sockopt::subscribe, "");
  std::set<std::string> wanted;
  for (const auto& k : o.kinds) {
    auto kind = kindFromName(k);
    if (!kind || !isGossiped(*kind)) return Status::usage("'" + k + "' is not a gossiped kind");
    sub.set(zmq::sockopt::subscribe, topic(*kind));
    wanted.insert(topic(*kind));
  }
  sub.connect(o.events);
  net::installStopHandler();
  if (!o.outDir.empty() && ::mkdir(o.outDir.c_str(), 0755) != 0 && errno != EEXIST)
    return Status::io("cannot create '" + o.outDir + "'");
  const auto deadline = Clock::now() + std::chrono::milliseconds(o.timeoutMs);
  uint64_t written = 0;
  bool ready = false;
  while (!net::stopRequested() && (o.count == 0 || written < o.count)) {
    if (o.timeoutMs > 0 && Clock::now() > deadline)
      return Status::io("timed out after " + std::to_string(written) + " of " +
                        std::to_string(o.count) + " messages");
    zmq::pollitem_t item{static_cast<void*>(sub), 0, ZMQ_POLLIN, 0};
    try {
      zmq::poll(&item, 1, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return Status::io(std::string("poll failed: ") + e.what());
    }
    if (!(item.revents & ZMQ_POLLIN)) continue;
    auto got = net::receive(sub, true);
    if (!got) return got.status();
    net::Frames& f = *got;
    if (f.size() == 1 && net::text(f[0]) == kWelcome) {
      if (!ready && !o.readyFile.empty()) POT_TRY(writeFileAtomic(o.readyFile, Bytes{}));
      ready = true;
      continue;
    }
    if (f.size() != 2) continue;
    // Topics match by prefix in ZeroMQ ("block" would take "block-header").
    if (!o.kinds.empty() && !wanted.count(net::text(f[0]))) continue;
    // The daemon checked it, but a subscriber still refuses what it cannot
    // decode rather than write it out.
    auto m = decodeMessage(f[1]);
    if (!m) continue;
    if (o.outDir.empty()) {
      std::cout.write(reinterpret_cast<const char*>(f[1].data()),
                      static_cast<std::streamsize>(f[1].size()));
      std::cout.flush();
    } else {
      POT_TRY(writeFileAtomic(o.outDir + "/" + envelopeId(**m).hex() + ".msg", f[1]));
    }
    ++written;
  }
  return written;
}

Status inject(const std::string& peer, const Hello& hello, const std::vector<Bytes>& messages,
              int lingerMs) {
  POT_TRY(net::checkEndpoint(peer, false));
  zmq::socket_t s(net::context(), zmq::socket_type::dealer);
  s.set(zmq::sockopt::linger, lingerMs);
  s.connect(peer);
  // The daemon takes messages only from a peer that said hello first.
  POT_TRY(net::send(s, helloFrames(hello)));
  for (const auto& m : messages) POT_TRY(net::send(s, {net::frame("msg"), m}));
  std::this_thread::sleep_for(std::chrono::milliseconds(lingerMs));
  return Status::ok();
}

}  // namespace pot::gossip
