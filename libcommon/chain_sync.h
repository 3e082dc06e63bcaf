// pot-chaind catching up from peers (DESIGN 6): each --sync-from peer's
// chaind is asked for its best chain above a fork point. Requests never
// block the daemon's loop, so a dead peer costs a timeout, not a stall.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "libcommon/chaind.h"

namespace pot::chaind {

struct SyncOptions {
  std::vector<std::string> peers;  // their pot-chaind query endpoints
  int intervalMs = 500;            // between rounds once caught up
  int timeoutMs = 2000;            // a reply later than this is given up
  uint64_t banSeconds = 600;       // a peer that served a bad block is not asked for this long
  uint64_t maxMessageBytes = 64ull << 20;
  uint64_t firstDepth = 8;  // blocks below our tip asked again, to cross a short fork
};

class ChainSync {
 public:
  using OnImport = std::function<void(const ImportResult&, const Bytes&)>;
  using Log = std::function<void(const std::string&)>;
  ChainSync(ChainStore& chain, SyncOptions options, OnImport onImport, Log log);
  ~ChainSync();

  // Appends a poll item for each peer with a request in flight; onPoll()
  // then takes the items from the same position.
  void addPollItems(std::vector<zmq::pollitem_t>& items);
  // Imports the replies that arrived, gives up late ones and sends the
  // requests that are due. Fails only when our own store fails.
  Status onPoll(const zmq::pollitem_t* items);

 private:
  struct Peer;
  Status send(Peer& peer);
  Status importReply(Peer& peer, net::Frames blocks);
  ChainStore& chain_;
  SyncOptions o_;
  OnImport onImport_;
  Log log_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::vector<Peer*> polled_;  // the peers behind the last addPollItems()
};

}  // namespace pot::chaind
