// pot-chaind's status query (DESIGN 6): what bitcoin-cli's getblockchaininfo,
// getpeerinfo and getbalance answer, as one view built from the store, the
// daemon's sync peers and bans, and the pending pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/core/json_reader.h"
#include "libcommon/net/chain_sync.h"
#include "libcommon/net/pending_pool.h"
#include "libcommon/store/chain_store.h"

namespace pot::chaind {

// What the daemon knows beyond its store, for the status query.
struct NodeView {
  std::string endpoint;  // where it answers queries
  std::vector<SyncPeerView> syncPeers;
  std::vector<std::string> bannedAddresses;  // clients and peers refused now
  std::string gossipEvents, gossipControl;   // its pot-gossip, if wired
};

// How many of an account's newest work entries a status shows. The store's
// work index (chain_store.h) makes the cost of a status query bounded by
// this number, whoever asks and however long the chain is.
constexpr size_t kRecentWork = 32;

struct AccountStatus {
  Address address;
  bool exists = false;
  uint64_t balance = 0, nonce = 0, ageSince = 0;
  uint64_t stake = 0;     // what a PoS message may claim: the whole balance
  uint64_t coinAge = 0;   // now - ageSince, seconds
  uint64_t stakeAge = 0;  // min(coinAge, maxStakeAge): what the target counts
  WorkHistory work;       // totals over the best chain, kRecentWork newest entries
};

// A sync peer as the status reports it.
struct SyncPeerStatus {
  SyncPeerView peer;
  bool tipKnown = false;  // we hold its tip block: nothing to fetch from it
  uint64_t ahead = 0;     // its tip's height above ours, when we lack its tip
};

struct StatusView {
  uint64_t height = 0;
  Hash256 tip;
  uint64_t tipTimestamp = 0;
  uint64_t tipAge = 0;   // now - tipTimestamp, 0 for a tip dated ahead of our clock
  bool syncing = false;  // a sync peer has a tip we lack
  uint64_t behind = 0;   // how many blocks the highest such peer is ahead
  std::vector<SyncPeerStatus> syncPeers;
  std::vector<std::string> bannedAddresses;
  // The gossip endpoints are shown to trusted clients only: the control
  // endpoint publishes into the network in this node's name.
  std::string endpoint, gossipEvents, gossipControl;
  uint64_t pending = 0;  // transactions the pending query would return
  std::optional<AccountStatus> account;
};

// The view from the store, the daemon's knowledge and the pending pool at
// `now`, with `account`'s balance and work when given.
Result<StatusView> buildStatus(ChainStore& chain, const NodeView& node, PendingPool* pending,
                               uint64_t now, const std::optional<Address>& account);
std::string statusJson(const StatusView& status);
// The client reads the server's JSON back to print it for people.
Result<StatusView> parseStatusJson(std::string_view json);
// Human lines, one fact a line ("height 12", "tip ... 5 s old", ...).
std::string statusText(const StatusView& status);
// "header-builder", "wrapper", "stakeholder", "stage-fee", "transaction-fees".
std::string_view payoutKindName(schema::PayoutKind kind);
// Amounts (balances, rewards) can exceed 2^53, which a JSON number cannot
// carry exactly: they are written as decimal strings, as Cap'n Proto's JSON
// codec writes every 64-bit integer (pot-inspect).
std::optional<uint64_t> amountFromJson(const JsonDocument& doc, std::string_view name);

}  // namespace pot::chaind
