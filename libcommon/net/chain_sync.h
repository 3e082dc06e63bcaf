// pot-chaind catching up from peers (DESIGN 6): each --sync-from peer's
// chaind is asked for its tip; when that is a block we lack, for the block
// where our chains meet and then its best chain onward. Requests never
// block the daemon's loop, so a dead peer costs a timeout, not a stall.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "libcommon/core/log.h"
#include "libcommon/net/net.h"
#include "libcommon/store/chain_store.h"

namespace pot::chaind {

struct SyncOptions {
  std::vector<std::string> peers;  // their pot-chaind query endpoints
  int intervalMs = 500;            // between tip checks once caught up
  int timeoutMs = 5000;            // a reply later than this is given up
  uint64_t banSeconds = 600;       // a peer that served a bad block is not asked for this long
  uint64_t maxMessageBytes = 64ull << 20;
  uint64_t batchBlocks = 64;  // blocks per range request: bounds one loop turn's imports
  uint64_t firstDepth = 8;    // where the search for the meeting point starts below the tip
};

// What pot-chaind knows of one sync peer, for the status query.
struct SyncPeerView {
  std::string endpoint;
  bool answered = false;  // its tip is known (it answered since start)
  Hash256 tipId;
  uint64_t tipHeight = 0;
  bool dropped = false;  // served a bad tip or block: not asked until its ban ends
};

class ChainSync {
 public:
  using OnImport = std::function<void(const ImportResult&, const Bytes&)>;
  using Log = std::function<void(LogLevel, const std::string&)>;
  // Fails (exit code 2) on a peer endpoint that is not one.
  static Result<std::unique_ptr<ChainSync>> create(ChainStore& chain, SyncOptions options,
                                                   OnImport onImport, Log log);
  ~ChainSync();

  // Appends a poll item for each peer with a request in flight; onPoll()
  // then takes the items from the same position.
  void addPollItems(std::vector<zmq::pollitem_t>& items);
  // Imports the replies that arrived, gives up late ones and sends the
  // requests that are due. A peer's bad data only backs that peer off.
  void onPoll(const zmq::pollitem_t* items);
  // Every --sync-from peer, in the order given.
  std::vector<SyncPeerView> peers() const;

 private:
  struct Peer;
  ChainSync(ChainStore& chain, SyncOptions options, OnImport onImport, Log log);
  void send(Peer& peer);
  void onReply(Peer& peer, net::Frames reply);
  void onTip(Peer& peer, const net::Frames& reply);
  void onBlocks(Peer& peer, const net::Frames& blocks);
  void backOff(Peer& peer, std::chrono::milliseconds wait);
  ChainStore& chain_;
  SyncOptions o_;
  OnImport onImport_;
  Log log_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::vector<Peer*> polled_;  // the peers behind the last addPollItems()
};

}  // namespace pot::chaind
