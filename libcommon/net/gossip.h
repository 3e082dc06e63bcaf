// pot-gossip (DESIGN 6): flooding among peers over ZeroMQ, de-duplicated by
// message id, relaying only well-formed, signature-valid messages; local
// tools publish through a control endpoint and subscribe by message kind.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/status.h"
#include "libcommon/net/net.h"

namespace pot::gossip {

// The events endpoint greets each new subscriber with this one-frame message
// (ZMQ_XPUB_WELCOME_MSG), so a subscriber knows its subscription is live.
constexpr const char* kWelcome = "pot-gossip/welcome";

// The version of the peer link protocol (docs/protocol.md, "pot-gossip"),
// sent in every hello. Raised when a peer of the old version could not
// follow: a new frame, a new gossiped kind.
constexpr uint64_t kProtocolVersion = 1;

// What each side of a peer link says first (the hello frame): the protocol
// version and the chain's genesis id, unknown for a daemon started without
// --genesis (it then checks versions only).
struct Hello {
  uint64_t version = kProtocolVersion;
  std::optional<Hash256> genesis;
};
// ["hello", "<version>", <32-byte genesis id, or empty>].
net::Frames helloFrames(const Hello& hello);
// The hello in `frames` (["hello"...] from its verb on). The bare ["hello"]
// of daemons before the handshake is version 0. Malformed: nullopt.
std::optional<Hello> parseHello(const net::Frames& frames, size_t verbAt);
// Why `peer` cannot be linked with us, for the log and the refusal: "peer X
// is on genesis Y, we are on Z" or a version mismatch; nullopt when it can.
// A daemon that knows its genesis refuses a hello that names none ("peer X
// names no genesis, we are on Z"); a daemon without one checks versions only.
std::optional<std::string> helloMismatch(const Hello& ours, const Hello& theirs,
                                         const std::string& peer);

// What a peer link's frames say, from the verb at `verbAt` on (1 behind a
// ROUTER's routing id, 0 on a dialled link): ["msg", bytes] a message to
// check(), a hello, ["refuse", why] (only a peer we dialled may refuse us),
// or frames no honest daemon sends (the peer is dropped).
struct PeerFrames {
  enum class Kind { kMessage, kHello, kRefuse, kMalformed };
  Kind kind = Kind::kMalformed;
  const Bytes* message = nullptr;  // kMessage: points into the frames
  Hello hello;                     // kHello
  std::string refusal;             // kRefuse: the peer's reason, at most 300 bytes
};
PeerFrames parsePeerFrames(const net::Frames& frames, size_t verbAt, bool refuseAllowed);

// Kinds that travel by gossip: the signed consensus messages. States and
// batches are large and content-addressed: they go through pot-repo.
bool isGossiped(schema::Envelope::Which kind);

// Topic of a kind on the events endpoint: "training-declaration", "block"...
std::string topic(schema::Envelope::Which kind);

// Why a peer's message is refused. A duplicate is not the peer's fault
// (flooding delivers each message along every path) unless that peer sent
// it before on the same connection, which an honest daemon never does: that
// is a replay. Replays and the other refusals get the peer dropped.
enum class Verdict { kAccept, kDuplicate, kOversized, kMalformed, kNotGossiped, kBadSignature };
const char* verdictName(Verdict v);

// Remembers the ids of the last `capacity` accepted messages.
class SeenSet {
 public:
  explicit SeenSet(size_t capacity) : capacity_(capacity) {}
  bool contains(const Hash256& id) const { return ids_.count(id) > 0; }
  void insert(const Hash256& id);
  size_t size() const { return ids_.size(); }

 private:
  size_t capacity_;
  std::set<Hash256> ids_;
  std::deque<Hash256> order_;  // oldest first, for eviction
};

struct Checked {
  Verdict verdict;
  std::string reason;  // for logs and error replies
  MessagePtr message;  // set when accepted
  Hash256 id;
};

// The relay rule for one incoming message (DESIGN 6), in order: size,
// canonical decoding, gossiped kind, signature, then de-duplication.
Checked check(const Bytes& bytes, uint64_t maxMessageBytes, const SeenSet& seen);

struct Options {
  std::string bind;                 // peer endpoint (ROUTER), e.g. tcp://127.0.0.1:*
  std::vector<std::string> peers;   // peers' bind endpoints we connect to
  std::string control;              // local publish/stats endpoint (ROUTER)
  std::string events;               // local subscribe endpoint (XPUB)
  std::string endpointFile;         // resolved endpoints, written once listening
  std::string spoolDir;             // accepted messages as <dir>/<kind>/<id>.msg
  uint64_t spoolMaxAgeSeconds = 0;  // spooled files older than this are removed (0: kept)
  uint64_t maxMessageBytes = 16ull << 20;
  size_t seenCapacity = 100000;
  int helloIntervalMs = 1000;
  uint64_t banSeconds = 600;  // how long a dropped peer's address stays banned
  size_t maxInboundPeers = 128;
  size_t maxInboundPerAddress = 8;   // so one host cannot take every slot
  std::vector<std::string> trusted;  // --trust: never banned nor capped (see trustedAddresses)
  std::optional<Hash256> genesis;    // --genesis: peers of another chain are refused
  int refusedRetryMs = 60000;        // a link refused at the hello is dialled again after this
  // The node's pot-chaind, asked for the height in log lines: its endpoint,
  // or its endpoint file (it may start after us). Neither: "height=-".
  std::string chaind, chaindFile;
  bool quiet = false;
};

// Runs the daemon until SIGINT/SIGTERM.
Status run(const Options& options);

// Client side: hands one message to the local daemon, which checks and
// floods it; returns its id. A refusal carries the daemon's reason.
Result<Hash256> publish(const std::string& control, const Bytes& message, int timeoutMs);
// Daemon counters as JSON.
Result<std::string> stats(const std::string& control, int timeoutMs);

struct SubscribeOptions {
  std::string events;
  std::vector<std::string> kinds;  // topics; empty = all
  std::string outDir;              // one file per message; empty = stream to stdout
  std::string readyFile;           // touched once the subscription is live
  uint64_t count = 0;              // stop after this many (0 = until signalled)
  int timeoutMs = 0;               // give up after this long (0 = never)
  uint64_t maxMessageBytes = 16ull << 20;
};
// Returns how many messages were written.
Result<uint64_t> subscribe(const SubscribeOptions& options);

// Acts as a peer that says `hello` and sends `messages` as they are,
// unchecked: how tests and tools inject traffic (including bad traffic)
// into a node.
Status inject(const std::string& peer, const Hello& hello, const std::vector<Bytes>& messages,
              int lingerMs);

}  // namespace pot::gossip
