// pot-chaind's status query: the view, its JSON and its human lines (see chaind_status.h).
#include "libcommon/net/chaind_status.h"

#include <algorithm>

#include "libcommon/core/json_reader.h"
#include "libcommon/core/json_writer.h"

namespace pot::chaind {

namespace {

// The payouts to `address` in the best chain's last kRewardWindow blocks.
Status collectRewards(ChainStore& chain, uint64_t tipHeight, AccountStatus& account) {
  const uint64_t lowest = tipHeight >= kRewardWindow ? tipHeight - kRewardWindow + 1 : 1;
  account.rewardsFrom = std::min(lowest, tipHeight);
  for (uint64_t h = tipHeight; h >= lowest && h > 0; --h) {
    auto id = chain.activeAt(h);
    if (!id) return id.status();
    if (!id->has_value()) return Status::io("best chain has no block at " + std::to_string(h));
    auto bytes = chain.block(**id);
    if (!bytes) return bytes.status();
    if (!bytes->has_value()) return Status::io("best chain block missing");
    // Stored blocks were decoded and validated at import: a failure here is
    // our store's damage, not a peer's.
    auto message = decodeMessage(std::move(**bytes));
    if (!message || (*message)->kind() != schema::Envelope::BLOCK)
      return Status::io("stored block " + (*id)->hex() + " does not decode");
    for (auto payout : (*message)->envelope().getBlock().getBody().getCoinbase()) {
      auto to = Hash256::fromBytes(payout.getTo().begin(), payout.getTo().size());
      if (!to || *to != account.address) continue;
      account.rewards.push_back(
          {h, **id, std::string(payoutKindName(payout.getKind())), payout.getAmount()});
    }
  }
  return Status::ok();
}

std::optional<schema::PayoutKind> payoutKindFromName(std::string_view name) {
  for (auto k : {schema::PayoutKind::HEADER_BUILDER, schema::PayoutKind::WRAPPER,
                 schema::PayoutKind::STAKEHOLDER, schema::PayoutKind::STAGE_FEE,
                 schema::PayoutKind::TRANSACTION_FEES})
    if (payoutKindName(k) == name) return k;
  return std::nullopt;
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

}  // namespace

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
    POT_TRY(collectRewards(chain, v.height, a));
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
        .field("balance", a.balance)
        .field("nonce", a.nonce)
        .field("ageSince", a.ageSince)
        .field("stake", a.stake)
        .field("coinAge", a.coinAge)
        .field("stakeAge", a.stakeAge)
        .field("rewardsFrom", a.rewardsFrom)
        .key("rewards")
        .beginArray();
    for (const auto& r : a.rewards)
      j.beginObject()
          .field("height", r.height)
          .field("block", r.block.hex())
          .field("kind", r.kind)
          .field("amount", r.amount)
          .endObject();
    j.endArray().endObject();
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
    POT_TRY(readField(*a, "balance", acc.balance));
    POT_TRY(readField(*a, "nonce", acc.nonce));
    POT_TRY(readField(*a, "ageSince", acc.ageSince));
    POT_TRY(readField(*a, "stake", acc.stake));
    POT_TRY(readField(*a, "coinAge", acc.coinAge));
    POT_TRY(readField(*a, "stakeAge", acc.stakeAge));
    POT_TRY(readField(*a, "rewardsFrom", acc.rewardsFrom));
    auto rewards = a->objectArray("rewards");
    if (!rewards) return Status::malformed("status has no rewards list");
    for (const auto& r : *rewards) {
      RewardEntry e;
      POT_TRY(readField(r, "height", e.height));
      POT_TRY(readField(r, "block", e.block));
      e.kind = r.string("kind").value_or("");
      if (!payoutKindFromName(e.kind))
        return Status::malformed("unknown payout kind '" + e.kind + "'");
      POT_TRY(readField(r, "amount", e.amount));
      acc.rewards.push_back(std::move(e));
    }
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
    line("rewards since height " + std::to_string(a.rewardsFrom) + ": " +
         std::to_string(a.rewards.size()));
    for (const auto& r : a.rewards)
      line("reward height " + std::to_string(r.height) + " block " + r.block.hex() + " " + r.kind +
           " " + std::to_string(r.amount));
  }
  return out;
}

}  // namespace pot::chaind
