// pot-chaind's status query: the view, its JSON and its human lines (see chaind_status.h).
#include "libcommon/net/chaind_status.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "libcommon/core/json_reader.h"
#include "libcommon/core/json_writer.h"

namespace pot::chaind {

namespace {

std::optional<WorkRole> workRoleFromName(std::string_view name) {
  for (auto r :
       {WorkRole::kHeader, WorkRole::kBlock, WorkRole::kDeclaration, WorkRole::kStakeholder})
    if (name == workRoleName(r)) return r;
  return std::nullopt;
}

Status readAmount(const JsonDocument& doc, std::string_view name, uint64_t& out) {
  auto n = amountFromJson(doc, name);
  if (!n) return Status::malformed("status has no amount " + std::string(name));
  out = *n;
  return Status::ok();
}

// Typed reads of the status JSON; a missing or mistyped member is malformed.
Status readField(const JsonDocument& doc, std::string_view name, Hash256& out) {
  auto hex = doc.string(name);
  auto h = hex ? Hash256::fromHex(*hex) : std::nullopt;
  if (!h) return Status::malformed("status has no " + std::string(name));
  out = *h;
  return Status::ok();
}
Status readField(const JsonDocument& doc, std::string_view name, uint64_t& out) {
  auto n = doc.uint(name);
  if (!n) return Status::malformed("status has no " + std::string(name));
  out = *n;
  return Status::ok();
}
Status readField(const JsonDocument& doc, std::string_view name, bool& out) {
  auto b = doc.boolean(name);
  if (!b) return Status::malformed("status has no " + std::string(name));
  out = *b;
  return Status::ok();
}

std::string ageText(uint64_t seconds) { return std::to_string(seconds) + " s"; }

// "3 headers", "1 block": a count of a role for people.
std::string madeText(uint64_t count, WorkRole role) {
  static const char* plural[] = {"headers", "blocks", "declarations", "stakeholder signatures"};
  static const char* single[] = {"header", "block", "declaration", "stakeholder signature"};
  const size_t r = static_cast<size_t>(role) - 1;
  return std::to_string(count) + " " + (count == 1 ? single[r] : plural[r]);
}

}  // namespace

std::optional<uint64_t> amountFromJson(const JsonDocument& doc, std::string_view name) {
  auto text = doc.string(name);
  if (!text || text->empty() || text->size() > 20 ||
      text->find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text->c_str(), &end, 10);
  if (errno == ERANGE || *end != 0) return std::nullopt;
  return static_cast<uint64_t>(v);
}

std::string_view payoutKindName(schema::PayoutKind kind) {
  switch (kind) {
    case schema::PayoutKind::HEADER_BUILDER:
      return "header-builder";
    case schema::PayoutKind::WRAPPER:
      return "wrapper";
    case schema::PayoutKind::STAKEHOLDER:
      return "stakeholder";
    case schema::PayoutKind::STAGE_FEE:
      return "stage-fee";
    case schema::PayoutKind::TRANSACTION_FEES:
      return "transaction-fees";
  }
  return "unknown";
}

Result<StatusView> buildStatus(ChainStore& chain, const NodeView& node, PendingPool* pending,
                               uint64_t now, const std::optional<Address>& account) {
  StatusView v;
  auto tip = chain.tip();
  if (!tip) return tip.status();
  v.height = tip->height;
  v.tip = tip->id;
  v.tipTimestamp = tip->timestamp;
  v.tipAge = now > tip->timestamp ? now - tip->timestamp : 0;
  for (const auto& p : node.syncPeers) {
    SyncPeerStatus s{p, false, 0};
    if (p.answered) {
      auto known = chain.info(p.tipId);
      if (!known) return known.status();
      s.tipKnown = known->has_value();
      s.ahead = !s.tipKnown && p.tipHeight > v.height ? p.tipHeight - v.height : 0;
      // A dropped peer is not asked, so its tip is not being fetched.
      if (!s.tipKnown && !p.dropped) {
        v.syncing = true;
        v.behind = std::max(v.behind, s.ahead);
      }
    }
    v.syncPeers.push_back(std::move(s));
  }
  v.bannedAddresses = node.bannedAddresses;
  v.endpoint = node.endpoint;
  v.gossipEvents = node.gossipEvents;
  v.gossipControl = node.gossipControl;
  if (pending) {
    auto txs = pending->select(chain);
    if (!txs) return txs.status();
    v.pending = txs->size();
  }
  if (account) {
    AccountStatus a;
    a.address = *account;
    auto record = chain.account(*account);
    if (!record) return record.status();
    if (record->has_value()) {
      const Account& r = **record;
      a.exists = true;
      a.balance = r.balance;
      a.nonce = r.nonce;
      a.ageSince = r.ageSince;
      a.stake = r.balance;
      a.coinAge = now > r.ageSince ? now - r.ageSince : 0;
      a.stakeAge = std::min(a.coinAge, chain.genesis().params.maxStakeAge);
    }
    auto work = chain.workHistory(*account, kRecentWork);
    if (!work) return work.status();
    a.work = std::move(*work);
    v.account = std::move(a);
  }
  return v;
}

std::string statusJson(const StatusView& v) {
  JsonWriter j;
  j.beginObject()
      .field("height", v.height)
      .field("tip", v.tip.hex())
      .field("tipTimestamp", v.tipTimestamp)
      .field("tipAge", v.tipAge)
      .field("syncing", v.syncing)
      .field("behind", v.behind)
      .key("syncPeers")
      .beginArray();
  for (const auto& s : v.syncPeers) {
    j.beginObject()
        .field("endpoint", s.peer.endpoint)
        .field("answered", s.peer.answered)
        .field("dropped", s.peer.dropped)
        .field("tip", s.peer.answered ? s.peer.tipId.hex() : std::string())
        .field("height", s.peer.tipHeight)
        .field("tipKnown", s.tipKnown)
        .field("ahead", s.ahead)
        .endObject();
  }
  j.endArray().key("banned").beginArray();
  for (const auto& b : v.bannedAddresses) j.value(b);
  j.endArray()
      .field("endpoint", v.endpoint)
      .field("gossipEvents", v.gossipEvents)
      .field("gossipControl", v.gossipControl)
      .field("pending", v.pending);
  if (v.account) {
    const AccountStatus& a = *v.account;
    j.key("account")
        .beginObject()
        .field("address", a.address.hex())
        .field("exists", a.exists)
        .field("balance", std::to_string(a.balance))
        .field("nonce", a.nonce)
        .field("ageSince", a.ageSince)
        .field("stake", std::to_string(a.stake))
        .field("coinAge", a.coinAge)
        .field("stakeAge", a.stakeAge)
        .key("made")
        .beginObject();
    for (size_t r = 0; r < kWorkRoles; ++r)
      j.key(workRoleName(static_cast<WorkRole>(r + 1)))
          .beginObject()
          .field("count", a.work.totals[r].count)
          .field("reward", std::to_string(a.work.totals[r].reward))
          .endObject();
    j.endObject().key("recent").beginArray();
    for (const auto& e : a.work.recent)
      j.beginObject()
          .field("height", e.height)
          .field("block", e.block.hex())
          .field("role", workRoleName(e.role))
          .field("reward", std::to_string(e.reward))
          .endObject();
    j.endArray().field("more", a.work.more).endObject();
  }
  j.endObject();
  return j.str();
}

Result<StatusView> parseStatusJson(std::string_view json) {
  auto doc = JsonDocument::parse(json);
  if (!doc) return doc.status();
  StatusView v;
  POT_TRY(readField(*doc, "height", v.height));
  POT_TRY(readField(*doc, "tip", v.tip));
  POT_TRY(readField(*doc, "tipTimestamp", v.tipTimestamp));
  POT_TRY(readField(*doc, "tipAge", v.tipAge));
  POT_TRY(readField(*doc, "syncing", v.syncing));
  POT_TRY(readField(*doc, "behind", v.behind));
  POT_TRY(readField(*doc, "pending", v.pending));
  auto peers = doc->objectArray("syncPeers");
  auto banned = doc->stringArray("banned");
  if (!peers || !banned) return Status::malformed("status has no syncPeers or banned list");
  v.bannedAddresses = std::move(*banned);
  v.endpoint = doc->string("endpoint").value_or("");
  v.gossipEvents = doc->string("gossipEvents").value_or("");
  v.gossipControl = doc->string("gossipControl").value_or("");
  for (const auto& p : *peers) {
    SyncPeerStatus s;
    s.peer.endpoint = p.string("endpoint").value_or("");
    POT_TRY(readField(p, "answered", s.peer.answered));
    POT_TRY(readField(p, "dropped", s.peer.dropped));
    if (s.peer.answered) POT_TRY(readField(p, "tip", s.peer.tipId));
    POT_TRY(readField(p, "height", s.peer.tipHeight));
    POT_TRY(readField(p, "tipKnown", s.tipKnown));
    POT_TRY(readField(p, "ahead", s.ahead));
    v.syncPeers.push_back(std::move(s));
  }
  if (auto a = doc->object("account")) {
    AccountStatus acc;
    POT_TRY(readField(*a, "address", acc.address));
    POT_TRY(readField(*a, "exists", acc.exists));
    POT_TRY(readAmount(*a, "balance", acc.balance));
    POT_TRY(readField(*a, "nonce", acc.nonce));
    POT_TRY(readField(*a, "ageSince", acc.ageSince));
    POT_TRY(readAmount(*a, "stake", acc.stake));
    POT_TRY(readField(*a, "coinAge", acc.coinAge));
    POT_TRY(readField(*a, "stakeAge", acc.stakeAge));
    auto made = a->object("made");
    if (!made) return Status::malformed("status has no made object");
    for (size_t r = 0; r < kWorkRoles; ++r) {
      auto role = made->object(workRoleName(static_cast<WorkRole>(r + 1)));
      if (!role) return Status::malformed("status has no made role");
      POT_TRY(readField(*role, "count", acc.work.totals[r].count));
      POT_TRY(readAmount(*role, "reward", acc.work.totals[r].reward));
    }
    auto recent = a->objectArray("recent");
    if (!recent) return Status::malformed("status has no recent list");
    for (const auto& e : *recent) {
      WorkEntry w;
      POT_TRY(readField(e, "height", w.height));
      POT_TRY(readField(e, "block", w.block));
      auto role = workRoleFromName(e.string("role").value_or(""));
      if (!role) return Status::malformed("unknown work role in status");
      w.role = *role;
      POT_TRY(readAmount(e, "reward", w.reward));
      acc.work.recent.push_back(w);
    }
    POT_TRY(readField(*a, "more", acc.work.more));
    v.account = std::move(acc);
  }
  return v;
}

std::string statusText(const StatusView& v) {
  std::string out;
  auto line = [&out](const std::string& text) { out += text + "\n"; };
  line("height " + std::to_string(v.height));
  line("tip " + v.tip.hex() + " (" + ageText(v.tipAge) + " old)");
  line(v.syncing ? "syncing: yes, " + std::to_string(v.behind) + " blocks behind"
                 : std::string("syncing: no"));
  if (!v.endpoint.empty()) line("endpoint " + v.endpoint);
  if (!v.gossipEvents.empty()) line("gossip events " + v.gossipEvents);
  if (!v.gossipControl.empty()) line("gossip control " + v.gossipControl);
  for (const auto& s : v.syncPeers) {
    std::string what;
    if (!s.peer.answered)
      what = "no answer yet";
    else
      what = "height " + std::to_string(s.peer.tipHeight) + " tip " + s.peer.tipId.hex() +
             (s.tipKnown ? " (we hold it)" : ", " + std::to_string(s.ahead) + " blocks ahead");
    if (s.peer.dropped) what += " (dropped: served bad data)";
    line("sync peer " + s.peer.endpoint + ": " + what);
  }
  for (const auto& b : v.bannedAddresses) line("banned " + b);
  line("pending transactions " + std::to_string(v.pending));
  if (v.account) {
    const AccountStatus& a = *v.account;
    line("account " + a.address.hex() + (a.exists ? "" : " (not on chain)"));
    line("balance " + std::to_string(a.balance));
    line("nonce " + std::to_string(a.nonce));
    line("stake " + std::to_string(a.stake));
    line("coin age " + ageText(a.coinAge) + " (counted " + ageText(a.stakeAge) + ")");
    uint64_t earned = 0;
    std::string made;
    for (size_t r = 0; r < kWorkRoles; ++r) {
      const auto& t = a.work.totals[r];
      earned += t.reward;
      made += (made.empty() ? "" : ", ") + madeText(t.count, static_cast<WorkRole>(r + 1)) +
              " (reward " + std::to_string(t.reward) + ")";
    }
    line("made " + made);
    line("rewards " + std::to_string(earned));
    for (const auto& e : a.work.recent)
      line("made height " + std::to_string(e.height) + " block " + e.block.hex() + " " +
           workRoleName(e.role) + " reward " + std::to_string(e.reward));
    if (a.work.more)
      line("(older work not listed: " + std::to_string(kRecentWork) + " newest shown)");
  }
  return out;
}

}  // namespace pot::chaind
