// pot-chaind catching up from peers (see chain_sync.h).
#include "libcommon/chain_sync.h"

#include <algorithm>
#include <chrono>
#include <ctime>

namespace pot::chaind {

namespace {
using Clock = std::chrono::steady_clock;
constexpr uint64_t kRangeBlocks = 256;  // the most a range query returns
uint64_t wallClock() { return static_cast<uint64_t>(std::time(nullptr)); }
bool startsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
}  // namespace

struct ChainSync::Peer {
  std::string endpoint;
  std::unique_ptr<zmq::socket_t> socket;  // made on first use, remade after a timeout
  bool inFlight = false;
  Clock::time_point sentAt, nextAt;
  uint64_t depth = 8;  // how far below our tip the next request starts
  uint64_t from = 1;   // where the request in flight starts
};

ChainSync::ChainSync(ChainStore& chain, SyncOptions options, OnImport onImport, Log log)
    : chain_(chain), o_(std::move(options)), onImport_(std::move(onImport)), log_(std::move(log)) {
  for (const auto& endpoint : o_.peers) {
    auto p = std::make_unique<Peer>();
    p->endpoint = endpoint;
    p->depth = o_.firstDepth;
    p->nextAt = Clock::now();
    peers_.push_back(std::move(p));
  }
}

ChainSync::~ChainSync() = default;

void ChainSync::addPollItems(std::vector<zmq::pollitem_t>& items) {
  polled_.clear();
  for (auto& p : peers_)
    if (p->inFlight) {
      items.push_back({static_cast<void*>(*p->socket), 0, ZMQ_POLLIN, 0});
      polled_.push_back(p.get());
    }
}

Status ChainSync::onPoll(const zmq::pollitem_t* items) {
  for (size_t i = 0; i < polled_.size(); ++i) {
    Peer& p = *polled_[i];
    if (!(items[i].revents & ZMQ_POLLIN) || !p.inFlight) continue;
    auto got = net::receive(*p.socket, true);
    if (!got || got->empty()) continue;
    p.inFlight = false;
    p.nextAt = Clock::now() + std::chrono::milliseconds(o_.intervalMs);
    auto blocks = net::parseReply(std::move(*got), p.endpoint);
    if (!blocks) continue;  // an error answer: ask again next round
    POT_TRY(importReply(p, std::move(*blocks)));
  }
  polled_.clear();
  const auto now = Clock::now();
  for (auto& p : peers_) {
    if (p->inFlight && now - p->sentAt > std::chrono::milliseconds(o_.timeoutMs)) {
      // The peer is down or slow: a fresh socket, so a late reply to this
      // request cannot be taken for the answer to the next one.
      p->socket.reset();
      p->inFlight = false;
      p->nextAt = now + std::chrono::milliseconds(o_.intervalMs);
    }
    if (!p->inFlight && now >= p->nextAt) POT_TRY(send(*p));
  }
  return Status::ok();
}

Status ChainSync::send(Peer& p) {
  auto ours = chain_.tip();
  if (!ours) return ours.status();
  p.from = ours->height > p.depth ? ours->height - p.depth : 1;
  if (!p.socket) {
    p.socket = std::make_unique<zmq::socket_t>(net::context(), zmq::socket_type::dealer);
    p.socket->set(zmq::sockopt::linger, 0);
    net::setMaxMessageSize(*p.socket, o_.maxMessageBytes);
    p.socket->connect(p.endpoint);
  }
  // The empty delimiter makes the request look like any other client's.
  if (!net::send(*p.socket, {Bytes{}, net::frame("range"), net::frame(std::to_string(p.from)),
                             net::frame(std::to_string(kRangeBlocks))})) {
    p.nextAt = Clock::now() + std::chrono::milliseconds(o_.intervalMs);
    return Status::ok();  // not connected yet: try again next round
  }
  p.inFlight = true;
  p.sentAt = Clock::now();
  return Status::ok();
}

Status ChainSync::importReply(Peer& p, net::Frames blocks) {
  for (size_t i = 0; i < blocks.size(); ++i) {
    auto r = chain_.importBlock(blocks[i], wallClock());
    if (r) {
      onImport_(*r, blocks[i]);
      continue;
    }
    const Status& s = r.status();
    const std::string& why = s.message();
    if (s.code() != ExitCode::kInvalid && s.code() != ExitCode::kMalformed) return s;  // ours
    if (startsWith(why, "time-too-new")) return Status::ok();  // valid later: ask again
    if (startsWith(why, "unknown-parent") && i == 0 && p.from > 1) {
      // Our chains part below the range asked for: start lower next time,
      // doubling, so a fork of any depth is crossed in log(depth) rounds.
      p.depth = std::min<uint64_t>(p.depth * 2, p.from + p.depth);
      p.nextAt = Clock::now();
      log_("sync peer " + p.endpoint + " is on a fork deeper than " + std::to_string(p.depth / 2) +
           " blocks; asking from lower");
      return Status::ok();
    }
    // A block that is invalid in itself, or a chain that does not link up:
    // no honest peer's best chain holds one.
    log_("refused block from " + p.endpoint + ": " + why + "; dropped sync peer for " +
         std::to_string(o_.banSeconds) + " s");
    p.nextAt = Clock::now() + std::chrono::seconds(o_.banSeconds);
    p.depth = o_.firstDepth;
    p.socket.reset();
    return Status::ok();
  }
  p.depth = o_.firstDepth;
  // A full range means the peer has more: ask again at once.
  if (blocks.size() == kRangeBlocks) p.nextAt = Clock::now();
  return Status::ok();
}

}  // namespace pot::chaind
