// pot-chaind's daemon loop (see chaind_server.h).
#include "libcommon/net/chaind_server.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <iostream>

#include "libcommon/net/chain_sync.h"
#include "libcommon/net/gossip.h"
#include "libcommon/net/peer_guard.h"

namespace pot::chaind {

namespace {

uint64_t wallClock() { return static_cast<uint64_t>(std::time(nullptr)); }

// A refused request that an honest client never sends: undecodable or
// unknown requests (its client checks arguments first), and blocks refused
// for the sender's fault. An orphan or a block from the future may be an
// honest race, and "not found" answers are not refusals.
bool isMisbehaviour(const QueryAnswer& answer) {
  return answer.status.code() == ExitCode::kMalformed || isPeerFault(answer.rejected);
}

}  // namespace

struct Server::Sockets {
  std::unique_ptr<net::PeerGuard> guard;
  std::unique_ptr<zmq::socket_t> queries;
  std::unique_ptr<zmq::socket_t> events;     // gossip's blocks and transactions
  std::unique_ptr<zmq::socket_t> gossipOut;  // our imports, published to gossip
  std::string endpoint;
};

Server::Server(ChainStore& chain, const ServeOptions& options)
    : chain_(chain),
      o_(options),
      log_("pot-chaind", options.quiet),
      sockets_(std::make_unique<Sockets>()) {
  // Every line says where the chain stood when it was written.
  log_.setHeight([this]() -> std::optional<uint64_t> {
    auto t = chain_.tip();
    return t ? std::optional<uint64_t>(t->height) : std::nullopt;
  });
}

Server::~Server() = default;

Result<std::unique_ptr<Server>> Server::start(ChainStore& chain, const ServeOptions& options) {
  std::unique_ptr<Server> s(new Server(chain, options));
  POT_TRY(s->open());
  return s;
}

Status Server::open() {
  Sockets& k = *sockets_;
  net::GuardOptions g;
  g.banDuration = std::chrono::seconds(o_.banSeconds);
  g.trusted = net::trustedAddresses(o_.trusted);
  auto guard = net::PeerGuard::create(g);
  if (!guard) return guard.status();
  k.guard = std::move(*guard);
  k.queries = std::make_unique<zmq::socket_t>(net::context(), zmq::socket_type::router);
  k.queries->set(zmq::sockopt::linger, 0);
  net::setMaxMessageSize(*k.queries, o_.maxMessageBytes);
  k.guard->protect(*k.queries);
  auto endpoint = net::bind(*k.queries, o_.bind);
  if (!endpoint) return endpoint.status();
  k.endpoint = *endpoint;
  if (!o_.gossipEvents.empty()) {
    POT_TRY(net::checkEndpoint(o_.gossipEvents, false));
    k.events = std::make_unique<zmq::socket_t>(net::context(), zmq::socket_type::sub);
    k.events->set(zmq::sockopt::linger, 0);
    net::setMaxMessageSize(*k.events, o_.maxMessageBytes);
    k.events->set(zmq::sockopt::subscribe, "block");
    k.events->set(zmq::sockopt::subscribe, "transaction");
    k.events->set(zmq::sockopt::subscribe, gossip::kWelcome);
    k.events->connect(o_.gossipEvents);
    // Announce the endpoint only once the subscription is live, so a block
    // published right after start-up is not missed.
    zmq::pollitem_t item{static_cast<void*>(*k.events), 0, ZMQ_POLLIN, 0};
    bool live = false;
    for (int i = 0; i < 100 && !live; ++i) {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0) continue;
      auto f = net::receive(*k.events, true);
      live = f && f->size() == 1 && net::text((*f)[0]) == gossip::kWelcome;
    }
    if (!live) log_.warn("no welcome from " + o_.gossipEvents);
  }
  // Blocks we import otherwise go to gossip without waiting for its answer:
  // a gossip daemon that is down must not hold up imports.
  if (!o_.gossipControl.empty()) {
    POT_TRY(net::checkEndpoint(o_.gossipControl, false));
    k.gossipOut = std::make_unique<zmq::socket_t>(net::context(), zmq::socket_type::dealer);
    k.gossipOut->set(zmq::sockopt::linger, 0);
    k.gossipOut->connect(o_.gossipControl);
  }
  net::installStopHandler();
  SyncOptions so;
  so.peers = o_.syncFrom;
  so.intervalMs = o_.syncIntervalMs;
  so.banSeconds = o_.banSeconds;
  so.maxMessageBytes = o_.maxMessageBytes;
  so.batchBlocks = o_.syncBatchBlocks;
  auto syncer = ChainSync::create(
      chain_, so, [this](const ImportResult& r, const Bytes& b) { afterImport(r, b, false); },
      [this](LogLevel level, const std::string& line) { log_.write(level, line); });
  if (!syncer) return syncer.status();
  sync_ = std::move(*syncer);

  if (!o_.exportDir.empty()) POT_TRY(chain_.exportChain(o_.exportDir));
  POT_TRY(net::announceEndpoint(o_.endpointFile, k.endpoint));
  log_.info("serving on " + k.endpoint);
  return Status::ok();
}

void Server::afterImport(const ImportResult& r, const Bytes& bytes, bool fromGossip) {
  if (r.known) return;
  log_.info(std::string(r.tipChanged ? "new tip " : "side block ") + r.id.hex().substr(0, 16) +
            " at height " + std::to_string(r.height) +
            (r.disconnected ? " (reorganised " + std::to_string(r.disconnected) + " blocks)" : ""));
  if (r.tipChanged && !o_.exportDir.empty()) {
    Status s = chain_.exportChain(o_.exportDir);
    if (!s) log_.error("cannot export: " + s.message());
  }
  if (!fromGossip && sockets_->gossipOut) {
    Status sent = net::send(*sockets_->gossipOut, {Bytes{}, net::frame("publish"), bytes});
    if (!sent) log_.warn("cannot hand block to gossip: " + sent.message());
  }
}

Status Server::onRequest() {
  Sockets& k = *sockets_;
  net::PeerOrigin origin;
  auto f = net::receiveFrom(*k.queries, origin);
  if (!f) return f.status();
  if (k.guard->banned(origin)) {
    net::PeerGuard::disconnect(origin);  // sent before its ban took effect
    return Status::ok();
  }
  if (f->size() < 3 || !(*f)[1].empty()) {
    log_.warn("dropped client " + origin.address + ": not a request");
    k.guard->drop(origin);  // not even framed as a request: nothing to answer
    return Status::ok();
  }
  net::Frames body(f->begin() + 2, f->end());
  QueryContext context{chain_, &pending_, wallClock(), [this] { return nodeView(); },
                       k.guard->trusted(origin)};
  QueryAnswer answer = answerQuery(context, body);
  if (isMisbehaviour(answer)) {
    log_.warn("dropped client " + origin.address + ": " + answer.status.message());
    // The reply still leaves, so an honest tool with a bug learns why.
    k.guard->drop(origin, std::chrono::milliseconds(200));
  }
  if (answer.imported) afterImport(*answer.imported, body[1], false);
  net::Frames reply{(*f)[0], Bytes{}};
  for (auto& r : std::move(answer).reply()) reply.push_back(std::move(r));
  (void)net::send(*k.queries, reply);
  return Status::ok();
}

void Server::onGossip() {
  auto f = net::receive(*sockets_->events, true);
  if (f && f->size() == 2 && net::text((*f)[0]) == "transaction") {
    Status s = pending_.add((*f)[1], chain_);
    if (!s) log_.info("pending transaction not kept: " + s.message());
  }
  if (f && f->size() == 2 && net::text((*f)[0]) == "block") {  // not the welcome
    auto r = chain_.importBlock((*f)[1], wallClock());
    if (r)
      afterImport(*r, (*f)[1], true);
    else
      log_.warn("refused gossiped block: " + r.status().message());
  }
}

NodeView Server::nodeView() const {
  NodeView v;
  v.endpoint = sockets_->endpoint;
  v.syncPeers = sync_->peers();
  v.bannedAddresses = sockets_->guard->bans().addresses(net::SteadyClock::now());
  v.gossipEvents = o_.gossipEvents;
  v.gossipControl = o_.gossipControl;
  return v;
}

Status Server::run() {
  Sockets& k = *sockets_;
  while (!net::stopRequested()) {
    std::vector<zmq::pollitem_t> items = {
        {static_cast<void*>(*k.queries), 0, ZMQ_POLLIN, 0},
        {static_cast<void*>(k.guard->handshakes()), 0, ZMQ_POLLIN, 0},
        {k.events ? static_cast<void*>(*k.events) : nullptr, -1,
         static_cast<short>(k.events ? ZMQ_POLLIN : 0), 0}};
    sync_->addPollItems(items);
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return Status::io(std::string("poll failed: ") + e.what());
    }
    if (items[1].revents & ZMQ_POLLIN) k.guard->answerHandshake();
    k.guard->tick();
    if (items[0].revents & ZMQ_POLLIN) POT_TRY(onRequest());
    if (k.events && (items[2].revents & ZMQ_POLLIN)) onGossip();
    sync_->onPoll(items.data() + 3);
    // Gossip's answers to our publishes: read only so they do not pile up.
    while (k.gossipOut) {
      auto answer = net::receive(*k.gossipOut, true);
      if (!answer || answer->empty()) break;
    }
  }
  if (!o_.endpointFile.empty()) ::unlink(o_.endpointFile.c_str());
  return Status::ok();
}

Status serve(ChainStore& chain, const ServeOptions& options) {
  auto server = Server::start(chain, options);
  if (!server) return server.status();
  return (*server)->run();
}

}  // namespace pot::chaind
