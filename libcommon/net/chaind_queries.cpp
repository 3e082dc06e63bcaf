// pot-chaind's query table: arguments, answers and JSON views (see chaind_queries.h).
#include "libcommon/net/chaind_queries.h"

#include <algorithm>
#include <cassert>

#include "libcommon/core/fileio.h"
#include "libcommon/core/json_reader.h"
#include "libcommon/core/json_writer.h"

namespace pot::chaind {

namespace {

constexpr uint64_t kMaxRange = 256;

std::optional<uint64_t> parseDecimal(const std::string& s) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoull(s);
}

Bytes hashFrame(const Hash256& h) { return Bytes(h.bytes.begin(), h.bytes.end()); }

// The i-th argument, already checked by answerQuery.
Hash256 hashArg(const net::Frames& req, size_t i) {
  return *Hash256::fromBytes(req[i].data(), req[i].size());
}
uint64_t numberArg(const net::Frames& req, size_t i) { return *parseDecimal(net::text(req[i])); }

QueryAnswer ok(net::Frames payload) {
  QueryAnswer a;
  a.payload = std::move(payload);
  return a;
}
QueryAnswer refused(Status status) {
  QueryAnswer a;
  a.status = std::move(status);
  return a;
}

void writeBlockInfo(JsonWriter& j, const BlockInfo& b) {
  j.beginObject()
      .field("id", b.id.hex())
      .field("parent", b.parent.hex())
      .field("height", b.height)
      .field("timestamp", b.timestamp)
      .field("trust", b.trust.hex())
      .field("cumulativeTrust", b.cumulativeTrust.hex())
      .endObject();
}

}  // namespace

std::vector<std::string> namedRepoEndpoints(const Bytes& request) {
  std::vector<std::string> out;
  if (request.empty()) return out;
  auto msg = decodeMessage(request);
  if (!msg || (*msg)->kind() != schema::Envelope::TRAINING_REQUEST) return out;
  auto body = (*msg)->envelope().getTrainingRequest().getBody();
  if (!body.hasRepoEndpoints()) return out;
  for (auto ep : body.getRepoEndpoints()) {
    if (out.size() == kMaxNamedRepos) break;
    // An endpoint nodes could not dial is skipped, not passed on to them.
    const std::string text(ep.cStr(), ep.size());
    if (text.size() <= kMaxNamedRepoBytes && net::checkEndpoint(text, false)) out.push_back(text);
  }
  return out;
}

namespace {

void writeModel(JsonWriter& j, const ModelRecord& m, const Bytes& request) {
  j.beginObject()
      .field("modelId", m.modelId.hex())
      .field("escrow", m.escrow.hex())
      .field("feePerStage", m.feePerStage)
      .field("declarers", m.declarers)
      .field("stagesTotal", m.stagesTotal)
      .field("lastStage", m.lastStage)
      .field("lastStateHash", m.lastStateHash.hex())
      .field("anchor", m.anchor.hex())
      .field("lastHeight", m.lastHeight)
      .field("active", m.active())
      .field("isDummy", m.isDummy)
      .key("repoEndpoints")
      .beginArray();
  for (const auto& ep : namedRepoEndpoints(request)) j.value(ep);
  j.endArray().endObject();
}

// ---- one function per verb; arguments were checked against the table

QueryAnswer tipQuery(QueryContext& c, const net::Frames&) {
  auto t = c.chain.tip();
  return t ? ok({net::frame(blockInfoJson(*t))}) : refused(t.status());
}

QueryAnswer blockQuery(QueryContext& c, const net::Frames& req) {
  const Hash256 id = hashArg(req, 1);
  auto b = c.chain.block(id);
  if (!b) return refused(b.status());
  if (!b->has_value()) return refused(Status::invalid("no block " + id.hex()));
  return ok({std::move(**b)});
}

QueryAnswer blockAtQuery(QueryContext& c, const net::Frames& req) {
  const uint64_t h = numberArg(req, 1);
  auto id = c.chain.activeAt(h);
  if (!id) return refused(id.status());
  if (!id->has_value() || h == 0)
    return refused(Status::invalid("no block at height " + std::to_string(h)));
  auto b = c.chain.block(**id);
  if (!b || !b->has_value()) return refused(Status::io("best chain block missing"));
  return ok({std::move(**b)});
}

QueryAnswer rangeQuery(QueryContext& c, const net::Frames& req) {
  const uint64_t from = numberArg(req, 1), count = numberArg(req, 2);
  net::Frames blocks;
  for (uint64_t h = from; h < from + std::min(count, kMaxRange); ++h) {
    auto id = c.chain.activeAt(h);
    if (!id) return refused(id.status());
    if (!id->has_value()) break;
    auto b = c.chain.block(**id);
    if (!b || !b->has_value()) return refused(Status::io("best chain block missing"));
    blocks.push_back(std::move(**b));
  }
  return ok(std::move(blocks));
}

QueryAnswer accountQuery(QueryContext& c, const net::Frames& req) {
  const Address a = hashArg(req, 1);
  auto acc = c.chain.account(a);
  return acc ? ok({net::frame(accountJson(a, *acc))}) : refused(acc.status());
}

QueryAnswer modelQuery(QueryContext& c, const net::Frames& req) {
  const Hash256 id = hashArg(req, 1);
  auto m = c.chain.model(id);
  if (!m) return refused(m.status());
  if (!m->has_value()) return refused(Status::invalid("no model " + id.hex()));
  auto request = c.chain.request(id);
  if (!request) return refused(request.status());
  return ok({net::frame(modelJson(**m, request->value_or(Bytes{})))});
}

// The endpoints a model's request names, one a frame (a line for the client).
QueryAnswer reposQuery(QueryContext& c, const net::Frames& req) {
  const Hash256 id = hashArg(req, 1);
  auto m = c.chain.model(id);
  if (!m) return refused(m.status());
  if (!m->has_value()) return refused(Status::invalid("no model " + id.hex()));
  auto request = c.chain.request(id);
  if (!request) return refused(request.status());
  net::Frames eps;
  for (const auto& ep : namedRepoEndpoints(request->value_or(Bytes{})))
    eps.push_back(net::frame(ep));
  return ok(std::move(eps));
}

QueryAnswer modelsQuery(QueryContext& c, const net::Frames&) {
  auto ms = c.chain.models();
  if (!ms) return refused(ms.status());
  JsonWriter j;
  j.beginArray();
  for (const auto& m : *ms) {
    auto request = c.chain.request(m.modelId);
    if (!request) return refused(request.status());
    writeModel(j, m, request->value_or(Bytes{}));
  }
  j.endArray();
  return ok({net::frame(j.str())});
}

QueryAnswer stateQuery(QueryContext& c, const net::Frames& req) {
  const Hash256 h = hashArg(req, 1);
  auto rec = c.chain.stateRecord(h);
  if (!rec) return refused(rec.status());
  if (!rec->has_value())
    return refused(Status::invalid("state " + h.hex() + " is not on the best chain"));
  return ok({net::frame(stateRecordJson(h, **rec))});
}

QueryAnswer stakeholdersQuery(QueryContext& c, const net::Frames& req) {
  auto s = c.chain.stakeholders(req[1]);
  if (!s) return refused(s.status());
  net::Frames keys;
  for (const auto& k : *s) keys.push_back(net::frame(k.hex()));
  return ok(std::move(keys));
}

QueryAnswer pendingQuery(QueryContext& c, const net::Frames&) {
  if (!c.pending) return ok({});
  auto txs = c.pending->select(c.chain);
  if (!txs) return refused(txs.status());
  return ok(std::move(*txs));
}

QueryAnswer statusQuery(QueryContext& c, const net::Frames& req) {
  std::optional<Address> account;
  if (req.size() == 2) account = hashArg(req, 1);
  NodeView node = c.node ? c.node() : NodeView{};
  if (!c.trustedClient) node.gossipEvents.clear(), node.gossipControl.clear();
  auto view = buildStatus(c.chain, node, c.pending, c.now, account);
  if (!view) return refused(view.status());
  return ok({net::frame(statusJson(*view))});
}

QueryAnswer submitQuery(QueryContext& c, const net::Frames& req) {
  QueryAnswer a;
  auto r = c.chain.importBlock(req[1], c.now, &a.rejected);
  if (!r) {
    a.status = r.status();
    return a;
  }
  a.payload = {hashFrame(r->id), net::frame(importStatus(*r)),
               net::frame(std::to_string(r->height))};
  a.imported = *r;
  return a;
}

bool argumentFits(QueryArg kind, const Bytes& frame) {
  switch (kind) {
    case QueryArg::kHash:
    case QueryArg::kAddress:
      return frame.size() == 32;
    case QueryArg::kHeight:
      return parseDecimal(net::text(frame)).has_value();
    case QueryArg::kFirstHeight: {
      auto h = parseDecimal(net::text(frame));
      return h && *h >= 1;
    }
    case QueryArg::kFile:
      return true;
  }
  return false;
}

}  // namespace

std::string_view importStatus(const ImportResult& r) {
  return r.known ? "known" : r.tipChanged ? "tip" : "side";
}

const std::vector<QueryVerb>& queryVerbs() {
  using A = QueryArg;
  static const std::vector<QueryVerb> verbs = {
      {"tip", "tip", {}, "", false, tipQuery},
      {"block", "block ID", {A::kHash}, "block needs a 32-byte id", true, blockQuery},
      {"block-at",
       "block-at HEIGHT",
       {A::kHeight},
       "block-at needs a decimal height",
       true,
       blockAtQuery},
      {"account",
       "account ADDR|KEY-FILE",
       {A::kAddress},
       "account needs a 32-byte address",
       false,
       accountQuery},
      {"model", "model ID", {A::kHash}, "model needs a 32-byte model id", false, modelQuery},
      {"models", "models", {}, "", false, modelsQuery},
      {"repos", "repos ID", {A::kHash}, "repos needs a 32-byte model id", false, reposQuery},
      {"state", "state HASH", {A::kHash}, "state needs a 32-byte hash", false, stateQuery},
      {"stakeholders", "stakeholders HEADER-FILE", {A::kFile}, "", false, stakeholdersQuery},
      {"range",
       "range FROM COUNT",
       {A::kFirstHeight, A::kHeight},
       "range needs FROM>=1 COUNT",
       true,
       rangeQuery},
      {"pending", "pending", {}, "", true, pendingQuery},
      {"submit", "submit BLOCK-FILE", {A::kFile}, "", false, submitQuery},
      {"status",
       "status [ADDR|KEY-FILE]",
       {A::kAddress},
       "status takes at most a 32-byte address",
       false,
       statusQuery,
       1},
  };
  return verbs;
}

const QueryVerb* findQuery(std::string_view name) {
  for (const auto& v : queryVerbs())
    if (v.name == name) return &v;
  return nullptr;
}

std::string queryUsage() {
  std::string out;
  for (const auto& v : queryVerbs()) out += (out.empty() ? "" : " | ") + std::string(v.usage);
  return out;
}

net::Frames QueryAnswer::reply() && {
  return status ? net::okReply(std::move(payload)) : net::errorReply(status);
}

QueryAnswer answerQuery(QueryContext& context, const net::Frames& request) {
  if (request.empty()) return refused(Status::malformed("empty request"));
  const std::string verb = net::text(request[0]);
  const QueryVerb* v = findQuery(verb);
  // A known verb with too few or too many arguments is no query we serve.
  if (!v || request.size() > v->args.size() + 1 ||
      request.size() + v->optionalArgs < v->args.size() + 1)
    return refused(Status::malformed("unknown query '" + verb.substr(0, 32) + "'"));
  for (size_t i = 0; i + 1 < request.size(); ++i)
    if (!argumentFits(v->args[i], request[i + 1]))
      return refused(Status::malformed(std::string(v->badArguments)));
  return v->answer(context, request);
}

Result<net::Frames> queryRequest(const std::vector<std::string>& words) {
  assert(!words.empty());
  net::Frames req{net::frame(words[0])};
  const QueryVerb* v = findQuery(words[0]);
  if (!v) {
    for (size_t i = 1; i < words.size(); ++i) req.push_back(net::frame(words[i]));
    return req;
  }
  if (words.size() > v->args.size() + 1 || words.size() + v->optionalArgs < v->args.size() + 1)
    return Status::usage("usage: query " + std::string(v->usage));
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& a = words[i + 1];
    switch (v->args[i]) {
      case QueryArg::kHash: {
        auto h = Hash256::fromHex(a);
        if (!h) return Status::usage("'" + a + "' is not 64 hex digits");
        req.push_back(hashFrame(*h));
        break;
      }
      case QueryArg::kHeight:
      case QueryArg::kFirstHeight: {
        auto n = parseDecimal(a);
        if (!n) return Status::usage("'" + a + "' is not a decimal number");
        if (v->args[i] == QueryArg::kFirstHeight && *n == 0)
          return Status::usage(std::string(v->name) + " starts at height 1");
        req.push_back(net::frame(a));
        break;
      }
      case QueryArg::kAddress: {
        auto address = addressFromText(a);
        if (!address)
          return Status::usage("'" + a + "' is neither 64 hex digits nor a PEM key file");
        req.push_back(hashFrame(*address));
        break;
      }
      case QueryArg::kFile: {
        auto bytes = readFile(a, 1ull << 30);
        if (!bytes) return bytes.status();
        req.push_back(std::move(*bytes));
        break;
      }
    }
  }
  return req;
}

Result<net::Frames> query(const std::string& endpoint, const net::Frames& request, int timeoutMs) {
  return net::request(endpoint, request, timeoutMs, 1ull << 30);
}

Result<std::string> queryText(std::string_view verb, const net::Frames& payload, bool json) {
  if (verb == "status" && !json) {
    if (payload.size() != 1) return Status::malformed("pot-chaind answered status with no view");
    auto view = parseStatusJson(net::text(payload[0]));
    if (!view) return view.status();
    return statusText(*view);
  }
  if (verb == "submit" && payload.size() == 3) {
    auto height = parseDecimal(net::text(payload[2]));
    if (payload[0].size() != 32 || !height)
      return Status::malformed("pot-chaind answered submit with a bad id or height");
    JsonWriter j;
    j.beginObject()
        .field("id", toHex(payload[0]))
        .field("status", net::text(payload[1]))
        .field("height", *height)
        .endObject();
    return j.str() + "\n";
  }
  std::string text;
  for (const auto& f : payload) text += net::text(f) + "\n";
  // A list read line by line (repos) is empty when it has nothing; other
  // empty answers print one empty line, as they always did.
  if (text.empty() && verb != "repos") return std::string("\n");
  return text;
}

// ------------------------------------------------------------------ JSON

std::string blockInfoJson(const BlockInfo& b) {
  JsonWriter j;
  writeBlockInfo(j, b);
  return j.str();
}

std::string accountJson(const Address& address, const std::optional<Account>& a) {
  JsonWriter j;
  j.beginObject()
      .field("address", address.hex())
      .field("exists", a.has_value())
      .field("balance", std::to_string(a ? a->balance : 0))  // an amount: see amountFromJson
      .field("nonce", a ? a->nonce : 0)
      .field("ageSince", a ? a->ageSince : 0)
      .endObject();
  return j.str();
}

std::string modelJson(const ModelRecord& m, const Bytes& request) {
  JsonWriter j;
  writeModel(j, m, request);
  return j.str();
}

std::string stateRecordJson(const Hash256& stateHash, const StateRecord& r) {
  JsonWriter j;
  j.beginObject()
      .field("stateHash", stateHash.hex())
      .field("modelId", r.modelId.hex())
      .field("stage", r.stage)
      .field("block", r.block.hex())
      .endObject();
  return j.str();
}

}  // namespace pot::chaind
