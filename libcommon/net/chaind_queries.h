// pot-chaind's query verbs (docs/protocol.md, "Network") and their JSON views.
//
// One table that the server answers from and the client checks its
// arguments against, so the two cannot drift apart.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/consensus/reject_reason.h"
#include "libcommon/net/chaind_status.h"
#include "libcommon/net/net.h"
#include "libcommon/net/pending_pool.h"
#include "libcommon/store/chain_store.h"

namespace pot::chaind {

// How an argument is typed on the command line and sent as a frame.
enum class QueryArg {
  kHash,         // 64 hex digits; 32 bytes on the wire
  kHeight,       // a decimal number of at most 19 digits, as text
  kFirstHeight,  // the same, at least 1 (range starts above genesis)
  kFile,         // a file name; the file's bytes on the wire
  kAddress,      // 64 hex digits or a PEM key file (as pot-tx --to); 32 bytes on the wire
};

// The state a query is answered from.
struct QueryContext {
  ChainStore& chain;
  PendingPool* pending = nullptr;  // none: "pending" answers no transactions
  uint64_t now = 0;                // the clock for submitted blocks and ages (Unix seconds)
  std::function<NodeView()> node;  // none: status reports no peers (a store without a daemon)
  // A client of this machine or --trust: sees the gossip endpoints in status.
  bool trustedClient = true;
};

// One answered query, and what the server acts on besides the reply.
struct QueryAnswer {
  Status status;                                // refused: the error reply's exit code and message
  net::Frames payload;                          // answered: the ok reply's frames
  RejectReason rejected = RejectReason::kNone;  // submit: why the block was refused
  std::optional<ImportResult> imported;         // submit: the stored (or known) block
  // The frames sent back; moves the payload (up to 256 blocks) out.
  net::Frames reply() &&;
};

struct QueryVerb {
  std::string_view name;
  std::string_view usage;  // for --help, e.g. "range FROM COUNT"
  std::vector<QueryArg> args;
  // The malformed answer to arguments the client would have refused.
  std::string_view badArguments;
  bool binaryReply;  // blocks or transactions: the client writes them out as they are
  // Called with the arguments already checked against `args`.
  QueryAnswer (*answer)(QueryContext& context, const net::Frames& request);
  size_t optionalArgs = 0;  // how many of the last `args` may be left out
};

// Every verb, in the order --help lists them.
const std::vector<QueryVerb>& queryVerbs();
const QueryVerb* findQuery(std::string_view name);
// "tip | block ID | ...": the verbs and their arguments for --help.
std::string queryUsage();

// Server side: answers one request ([verb, arguments...]).
QueryAnswer answerQuery(QueryContext& context, const net::Frames& request);

// Client side: the request for a command line's `words` (verb first), with
// files read, hashes decoded and key files turned into addresses; a bad argument of a known verb is
// a usage error, so an honest client never sends a malformed request. An unknown verb goes as
// typed: only the server can say what it serves.
Result<net::Frames> queryRequest(const std::vector<std::string>& words);
// One round trip to a pot-chaind at `endpoint`: the reply's payload, or
// the server's refusal as a Status with its exit code.
Result<net::Frames> query(const std::string& endpoint, const net::Frames& request, int timeoutMs);
// What the client prints for a reply's payload to `verb`: a submit's
// answer as one JSON object, a status as human lines (its JSON with
// `json`), other text answers one frame a line.
Result<std::string> queryText(std::string_view verb, const net::Frames& payload, bool json = false);

// How submit and `pot-chaind import --json` name an import: "known", "tip" or "side".
std::string_view importStatus(const ImportResult& result);

// The pot-repo endpoints a model's request names (DESIGN 5.8), at most
// kMaxNamedRepos of at most kMaxNamedRepoBytes each, in the request's
// order; endpoints that are not tcp:// or ipc:// are left out.
constexpr size_t kMaxNamedRepos = 16;
constexpr size_t kMaxNamedRepoBytes = 256;
std::vector<std::string> namedRepoEndpoints(const Bytes& request);

// JSON views for queries and --json output.
std::string blockInfoJson(const BlockInfo& info);
std::string accountJson(const Address& address, const std::optional<Account>& account);
std::string modelJson(const ModelRecord& model, const Bytes& request);
std::string stateRecordJson(const Hash256& stateHash, const StateRecord& record);

}  // namespace pot::chaind
