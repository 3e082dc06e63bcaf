// pot-chaind's daemon loop (DESIGN 6).
//
// Answers queries, imports blocks from clients, gossip and sync peers, and
// drops misbehaving clients.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "libcommon/core/log.h"
#include "libcommon/net/chaind_queries.h"
#include "libcommon/net/net.h"
#include "libcommon/store/chain_store.h"

namespace pot::chaind {

struct ServeOptions {
  std::string bind = "tcp://127.0.0.1:*";
  std::string endpointFile;
  std::string gossipEvents;           // import blocks published on local gossip
  std::string gossipControl;          // publish blocks we import from files/sync
  std::vector<std::string> syncFrom;  // peers' chaind endpoints to catch up from
  std::string exportDir;              // keep a --chain directory up to date
  int syncIntervalMs = 500;
  uint64_t syncBatchBlocks = 64;  // blocks per sync request (at most 256)
  uint64_t maxMessageBytes = 64ull << 20;
  uint64_t banSeconds = 600;         // how long a misbehaving client or sync peer is refused
  std::vector<std::string> trusted;  // --trust: never banned (see trustedAddresses)
  bool quiet = false;
};

class ChainSync;

// The daemon's sockets and loop. start() binds and announces the endpoint;
// run() serves until SIGINT/SIGTERM and removes the endpoint file.
class Server {
 public:
  static Result<std::unique_ptr<Server>> start(ChainStore& chain, const ServeOptions& options);
  ~Server();
  Status run();

 private:
  struct Sockets;
  Server(ChainStore& chain, const ServeOptions& options);
  Status open();
  // A block stored from a client, gossip (`fromGossip`) or a sync peer.
  void afterImport(const ImportResult& result, const Bytes& bytes, bool fromGossip);
  Status onRequest();
  void onGossip();

  // What the status query reports beyond the store: sync peers, bans.
  NodeView nodeView() const;

  ChainStore& chain_;
  ServeOptions o_;
  Logger log_;
  std::unique_ptr<Sockets> sockets_;
  std::unique_ptr<ChainSync> sync_;
  PendingPool pending_;
};

// Server::start and run in one call.
Status serve(ChainStore& chain, const ServeOptions& options);

}  // namespace pot::chaind
