// pot-chaind catching up from peers (see chain_sync.h).
#include "libcommon/net/chain_sync.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "libcommon/core/json_reader.h"

namespace pot::chaind {

namespace {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
uint64_t wallClock() { return static_cast<uint64_t>(std::time(nullptr)); }

// The id and height in a tip query's JSON answer (blockInfoJson).
bool parseTip(const std::string& json, Hash256& id, uint64_t& height) {
  auto doc = JsonDocument::parse(json);
  if (!doc) return false;
  auto hex = doc->string("id");
  auto h = hex ? Hash256::fromHex(*hex) : std::nullopt;
  auto n = doc->uint("height");
  if (!h || !n) return false;
  id = *h;
  height = *n;
  return true;
}
}  // namespace

struct ChainSync::Peer {
  enum class Ask { kTip, kProbe, kFetch };
  std::string endpoint;
  std::unique_ptr<zmq::socket_t> socket;  // made on first use, remade after a timeout
  Ask next = Ask::kTip;                   // what the next request asks
  bool inFlight = false;
  Clock::time_point sentAt, nextAt;
  // Searching for where our chains meet: probes one block at `probeFrom`,
  // `depth` below `base` (the lower of the two tips), doubling the depth
  // while the probed block's parent is unknown to us.
  uint64_t depth = 8, base = 0, probeFrom = 1;
  uint64_t cursor = 1;  // the next height to fetch once they meet
  SyncPeerView view;    // its last answered tip, for the status query
};

ChainSync::ChainSync(ChainStore& chain, SyncOptions options, OnImport onImport, Log log)
    : chain_(chain), o_(std::move(options)), onImport_(std::move(onImport)), log_(std::move(log)) {}

Result<std::unique_ptr<ChainSync>> ChainSync::create(ChainStore& chain, SyncOptions options,
                                                     OnImport onImport, Log log) {
  for (const auto& endpoint : options.peers)
    POT_TRY(net::checkEndpoint(endpoint, false).withContext("--sync-from"));
  if (options.batchBlocks == 0) return Status::usage("a sync batch needs at least one block");
  std::unique_ptr<ChainSync> s(
      new ChainSync(chain, std::move(options), std::move(onImport), std::move(log)));
  for (const auto& endpoint : s->o_.peers) {
    auto p = std::make_unique<Peer>();
    p->endpoint = endpoint;
    p->depth = s->o_.firstDepth;
    p->nextAt = Clock::now();
    s->peers_.push_back(std::move(p));
  }
  return s;
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

void ChainSync::onPoll(const zmq::pollitem_t* items) {
  for (size_t i = 0; i < polled_.size(); ++i) {
    Peer& p = *polled_[i];
    if (!(items[i].revents & ZMQ_POLLIN) || !p.inFlight) continue;
    auto got = net::receive(*p.socket, true);
    if (got && !got->empty()) onReply(p, std::move(*got));
  }
  polled_.clear();
  for (auto& p : peers_) {
    if (p->inFlight && Clock::now() - p->sentAt > milliseconds(o_.timeoutMs)) {
      // The reply may have come while this turn imported another peer's
      // blocks: take it rather than throw it away.
      auto got = net::receive(*p->socket, true);
      if (got && !got->empty()) {
        onReply(*p, std::move(*got));
      } else {
        // Down or slow: a fresh socket next time, so a late reply to this
        // request cannot be taken for the answer to the next one.
        p->socket.reset();
        p->inFlight = false;
        p->next = Peer::Ask::kTip;
        p->nextAt = Clock::now() + milliseconds(o_.intervalMs);
      }
    }
    if (!p->inFlight && Clock::now() >= p->nextAt) send(*p);
  }
}

void ChainSync::send(Peer& p) {
  net::Frames req{Bytes{}};  // the empty delimiter, as every client sends
  switch (p.next) {
    case Peer::Ask::kTip:
      req.push_back(net::frame("tip"));
      break;
    case Peer::Ask::kProbe:
      req.push_back(net::frame("range"));
      req.push_back(net::frame(std::to_string(p.probeFrom)));
      req.push_back(net::frame("1"));
      break;
    case Peer::Ask::kFetch:
      req.push_back(net::frame("range"));
      req.push_back(net::frame(std::to_string(p.cursor)));
      req.push_back(net::frame(std::to_string(o_.batchBlocks)));
      break;
  }
  try {
    if (!p.socket) {
      p.socket = std::make_unique<zmq::socket_t>(net::context(), zmq::socket_type::dealer);
      p.socket->set(zmq::sockopt::linger, 0);
      net::setMaxMessageSize(*p.socket, o_.maxMessageBytes);
      p.socket->connect(p.endpoint);
    }
  } catch (const zmq::error_t& e) {
    p.socket.reset();  // out of descriptors, say: the daemon goes on
    log_(LogLevel::kWarn, "cannot reach sync peer " + p.endpoint + ": " + e.what());
    backOff(p, milliseconds(5000));
    return;
  }
  if (!net::send(*p.socket, req)) {
    backOff(p, milliseconds(o_.intervalMs));  // not connected yet
    return;
  }
  p.inFlight = true;
  p.sentAt = Clock::now();
}

void ChainSync::backOff(Peer& p, milliseconds wait) {
  p.inFlight = false;
  p.next = Peer::Ask::kTip;
  p.depth = o_.firstDepth;
  p.nextAt = Clock::now() + wait;
}

void ChainSync::onReply(Peer& p, net::Frames reply) {
  p.inFlight = false;
  auto answer = net::parseReply(std::move(reply), p.endpoint);
  if (!answer) {  // an error answer: ask from the start next round
    backOff(p, milliseconds(o_.intervalMs));
    return;
  }
  if (p.next == Peer::Ask::kTip)
    onTip(p, *answer);
  else
    onBlocks(p, *answer);
  if (!p.inFlight && Clock::now() >= p.nextAt) send(p);
}

void ChainSync::onTip(Peer& p, const net::Frames& reply) {
  Hash256 id;
  uint64_t height = 0;
  if (reply.size() != 1 || !parseTip(net::text(reply[0]), id, height)) {
    p.view.dropped = true;
    log_(LogLevel::kWarn, "sync peer " + p.endpoint + " sent a malformed tip; dropped for " +
                              std::to_string(o_.banSeconds) + " s");
    p.socket.reset();
    backOff(p, std::max(milliseconds(o_.intervalMs), milliseconds(o_.banSeconds * 1000)));
    return;
  }
  p.view.answered = true;
  p.view.dropped = false;
  p.view.tipId = id;
  p.view.tipHeight = height;
  auto known = chain_.info(id);
  auto ours = chain_.tip();
  if (!known || !ours) {  // our store failed: try again later
    backOff(p, milliseconds(o_.intervalMs));
    return;
  }
  if (known->has_value()) {  // we hold the peer's best block: nothing to fetch
    backOff(p, milliseconds(o_.intervalMs));
    return;
  }
  p.base = std::min(ours->height, height);
  p.probeFrom = p.base > p.depth ? p.base - p.depth : 1;
  p.next = Peer::Ask::kProbe;
  p.nextAt = Clock::now();
}

void ChainSync::onBlocks(Peer& p, const net::Frames& blocks) {
  const bool probe = p.next == Peer::Ask::kProbe;
  const uint64_t from = probe ? p.probeFrom : p.cursor;
  if (blocks.empty()) {  // the peer's chain changed under us: look again
    backOff(p, milliseconds(o_.intervalMs));
    return;
  }
  // Bulk mode: the batch's signatures on all cores, several blocks a
  // commit; each block is handed on (gossip, export) once committed.
  RejectReason why = RejectReason::kNone;
  size_t done = 0;
  const Status s = chain_.importBlocks(
      blocks, wallClock(),
      [&](size_t i, const ImportResult& r) {
        done = i + 1;
        onImport_(r, blocks[i]);
      },
      &why);
  if (!s.isOk()) {
    const size_t i = done;  // the refused block: the first not committed
    if (s.code() != ExitCode::kInvalid && s.code() != ExitCode::kMalformed) {
      // Our store, or a rule that could not be evaluated: not the peer's
      // proven fault, and never a reason to stop the daemon.
      log_(LogLevel::kError, "cannot import a block from " + p.endpoint + ": " + s.message());
      backOff(p, milliseconds(5000));
      return;
    }
    if (why == RejectReason::kUnknownParent && i == 0 && probe && from > 1) {
      // Our chains part below the probe: look twice as far down, so a fork
      // of any depth is found in log2(depth) one-block probes.
      p.depth *= 2;
      p.probeFrom = p.base > p.depth ? p.base - p.depth : 1;
      p.nextAt = Clock::now();
      return;
    }
    if (why == RejectReason::kUnknownParent && i == 0 && !probe) {
      backOff(p, milliseconds(0));  // the peer reorganised between requests
      return;
    }
    // Anywhere else an unknown parent means a chain that does not link up
    // (below); other reasons are judged by whose fault they are: a block
    // from the future is not the peer's and may become valid later.
    if (why != RejectReason::kUnknownParent && why != RejectReason::kNone && !isPeerFault(why)) {
      backOff(p, milliseconds(o_.intervalMs));
      return;
    }
    // A block refused for the peer's fault, or a chain that does not link up
    // (down to genesis): no honest peer's best chain holds one.
    p.view.dropped = true;
    log_(LogLevel::kWarn, "refused block from " + p.endpoint + ": " + s.message() +
                              "; dropped sync peer for " + std::to_string(o_.banSeconds) + " s");
    p.socket.reset();
    backOff(p, std::max(milliseconds(o_.intervalMs), milliseconds(o_.banSeconds * 1000)));
    return;
  }
  if (probe) {
    if (p.depth > o_.firstDepth)
      log_(LogLevel::kInfo, "sync peer " + p.endpoint + " forked from our chain at most " +
                                std::to_string(p.depth) + " blocks below the tips");
    p.cursor = from + 1;  // they meet: fetch the rest in batches
    p.next = Peer::Ask::kFetch;
    p.nextAt = Clock::now();
    return;
  }
  if (blocks.size() >= o_.batchBlocks) {  // more to come
    p.cursor = from + blocks.size();
    p.nextAt = Clock::now();
    return;
  }
  backOff(p, milliseconds(o_.intervalMs));  // caught up with what it had
}

std::vector<SyncPeerView> ChainSync::peers() const {
  std::vector<SyncPeerView> out;
  for (const auto& p : peers_) {
    out.push_back(p->view);
    out.back().endpoint = p->endpoint;
  }
  return out;
}

}  // namespace pot::chaind
