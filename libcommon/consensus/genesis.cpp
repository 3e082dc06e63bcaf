// Genesis files: parameters checked on the way in and out (docs/protocol.md, "Genesis").
#include "libcommon/consensus/genesis.h"

#include <capnp/message.h>

#include <set>

#include "libcommon/consensus/training_request.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/signatures.h"

namespace pot {

// Exact products of 64-bit amounts (a GCC/Clang extension).
__extension__ typedef unsigned __int128 Uint128;
namespace {

std::optional<Hash256> hash32(capnp::Data::Reader d) {
  return Hash256::fromBytes(d.begin(), d.size());
}

Status checkParams(const ChainParams& p) {
  if (p.stakeholders == 0) return Status::invalid("K (stakeholders) must be at least 1");
  if (p.minDeclarers == 0 || p.minDeclarers > p.maxDeclarers)
    return Status::invalid("declarer bounds must satisfy 1 <= min <= max");
  if (p.maxStakeAge == 0 || p.minStakeAge > p.maxStakeAge)
    return Status::invalid("stake ages must satisfy min <= max and max > 0");
  if (p.targetSpacing == 0) return Status::invalid("target spacing must be positive");
  uint64_t split =
      uint64_t(p.rewardSplit.headerBuilder) + p.rewardSplit.wrapper + p.rewardSplit.stakeholders;
  if (split != 10000) return Status::invalid("reward split must add up to 10000 parts");
  if (p.declarationBaseTarget.isZero() || p.headerBaseTarget.isZero())
    return Status::invalid("base targets must be nonzero");
  return Status::ok();
}

}  // namespace

ChainParams defaultChainParams() {
  ChainParams p;
  p.chainName = "pot-dev";
  p.declarationBaseTarget = uint256Max();
  p.headerBaseTarget = uint256Max();
  p.stakeholders = 3;
  p.minDeclarers = 1;
  p.maxDeclarers = 16;
  p.minStakeAge = 60;
  p.maxStakeAge = 30 * 24 * 3600;
  p.targetSpacing = 600;
  p.maxClockDrift = 15;
  p.initialBlockReward = 50ull * 100000000ull;
  p.halvingInterval = 210000;
  p.rewardSplit = {4000, 2000, 4000};
  p.referenceNodeSpeed = 10'000'000'000ull;
  return p;
}

Result<Genesis> parseGenesis(std::shared_ptr<const Message> message) {
  if (message->kind() != schema::Envelope::GENESIS)
    return Status::malformed("expected a genesis, got a " + kindName(message->kind()));
  auto g = message->envelope().getGenesis();
  auto p = g.getParams();
  Genesis out;
  ChainParams& c = out.params;
  c.chainName = p.getChainName().cStr();
  auto dt = hash32(p.getDeclarationBaseTarget());
  auto ht = hash32(p.getHeaderBaseTarget());
  if (!dt || !ht) return Status::malformed("genesis: base targets must be 32 bytes");
  c.declarationBaseTarget = *dt;
  c.headerBaseTarget = *ht;
  c.stakeholders = p.getStakeholders();
  c.minDeclarers = p.getMinDeclarers();
  c.maxDeclarers = p.getMaxDeclarers();
  c.minStakeAge = p.getMinStakeAge();
  c.maxStakeAge = p.getMaxStakeAge();
  c.targetSpacing = p.getTargetSpacing();
  c.maxClockDrift = p.getMaxClockDrift();
  c.initialBlockReward = p.getInitialBlockReward();
  c.halvingInterval = p.getHalvingInterval();
  c.rewardSplit = {p.getRewardSplit().getHeaderBuilder(), p.getRewardSplit().getWrapper(),
                   p.getRewardSplit().getStakeholders()};
  c.referenceNodeSpeed = p.getReferenceNodeSpeed();
  auto s = checkParams(c);
  if (!s) return Status::malformed("genesis: " + s.message());
  out.timestamp = g.getTimestamp();
  out.id = message->fileHash();
  std::set<Address> seen;
  Uint128 total = 0;
  for (auto a : g.getAllocations()) {
    auto addr = hash32(a.getAddress());
    if (!addr) return Status::malformed("genesis: an allocation address is not 32 bytes");
    if (!seen.insert(*addr).second)
      return Status::malformed("genesis: address " + addr->hex() + " allocated twice");
    total += a.getAmount();
    out.allocations.push_back({*addr, a.getAmount()});
  }
  if (total > UINT64_MAX) return Status::malformed("genesis: allocations overflow 64 bits");
  if (p.hasDummyModel()) {
    auto req = p.getDummyModel();
    auto employer = hash32(req.getBody().getEmployer());
    auto sig = req.getSignature();
    if (!employer ||
        !verifyBody(*employer, Domain::kRequest, req.getBody(), sig.begin(), sig.size()))
      return Status::malformed("genesis: the dummy model request's signature does not verify");
    // A dummy no node can train would halt the chain for good (DESIGN 5.8).
    if (Rejection bad = checkTrainingRequest(req.getBody(), c.minDeclarers, c.maxDeclarers);
        bad.reason != RejectReason::kNone)
      return Status::malformed("genesis: dummy model: " + std::string(rejectName(bad.reason)) +
                               ": " + bad.message);
    auto rec = modelRecordFor(req, out.id, 0, true);
    if (!rec) return Status::malformed("genesis: dummy model: " + rec.status().message());
    rec->feePerStage = 0;  // the dummy model pays nothing (DESIGN 5.1)
    out.dummyModel = *rec;
    out.dummyRequest = requestFileOf(req);
  }
  out.message = std::move(message);
  return out;
}

Result<Genesis> loadGenesis(const std::string& path) {
  auto m = readMessage(path);
  if (!m) return m.status();
  auto g = parseGenesis(std::shared_ptr<const Message>(std::move(*m)));
  if (!g) return g.status().withContext("'" + path + "'");
  return g;
}

Status initLedger(LedgerStore& store, const Genesis& genesis) {
  uint64_t total = 0;
  for (const auto& a : genesis.allocations) {
    POT_TRY(store.putAccount(a.address, Account{a.amount, 0, genesis.timestamp}));
    total += a.amount;
  }
  if (genesis.dummyModel) {
    POT_TRY(store.putModel(*genesis.dummyModel));
    POT_TRY(store.putRequest(genesis.dummyModel->modelId, genesis.dummyRequest));
  }
  return store.setTotalSupply(total);
}

Result<Bytes> makeGenesis(const GenesisOptions& options) {
  ChainParams p = options.params;
  uint64_t total = 0;
  for (const auto& a : options.allocations) {
    if (total + a.amount < total) return Status::invalid("allocations overflow 64 bits");
    total += a.amount;
  }
  if (total == 0) return Status::invalid("genesis needs at least one nonzero allocation");
  // A derived base target makes the whole allocated stake, at full age, find
  // one passing second per target spacing on average:
  // base = (2^256 - 1) / (total x maxAge x T).
  auto derive = [&]() {
    Uint256 t = divideU64(uint256Max(), total);
    t = divideU64(t, p.maxStakeAge ? p.maxStakeAge : 1);
    t = divideU64(t, p.targetSpacing ? p.targetSpacing : 1);
    if (t.isZero()) t = uint256FromU64(1);
    return t;
  };
  if (options.deriveDeclarationTarget) p.declarationBaseTarget = derive();
  if (options.deriveHeaderTarget) p.headerBaseTarget = derive();
  POT_TRY(checkParams(p));

  capnp::MallocMessageBuilder mb;
  auto g = mb.initRoot<schema::Envelope>().initGenesis();
  auto c = g.initParams();
  c.setChainName(p.chainName);
  c.setDeclarationBaseTarget(dataOf(p.declarationBaseTarget));
  c.setHeaderBaseTarget(dataOf(p.headerBaseTarget));
  c.setStakeholders(p.stakeholders);
  c.setMinDeclarers(p.minDeclarers);
  c.setMaxDeclarers(p.maxDeclarers);
  c.setMinStakeAge(p.minStakeAge);
  c.setMaxStakeAge(p.maxStakeAge);
  c.setTargetSpacing(p.targetSpacing);
  c.setMaxClockDrift(p.maxClockDrift);
  c.setInitialBlockReward(p.initialBlockReward);
  c.setHalvingInterval(p.halvingInterval);
  auto split = c.initRewardSplit();
  split.setHeaderBuilder(p.rewardSplit.headerBuilder);
  split.setWrapper(p.rewardSplit.wrapper);
  split.setStakeholders(p.rewardSplit.stakeholders);
  c.setReferenceNodeSpeed(p.referenceNodeSpeed);
  if (options.dummyRequest) {
    auto m = decodeMessage(*options.dummyRequest);
    if (!m) return m.status().withContext("dummy model request");
    POT_TRY(expectKind(**m, schema::Envelope::TRAINING_REQUEST, "dummy model request"));
    if (!hasValidSignature(**m)) return Status::invalid("dummy model request: bad signature");
    c.setDummyModel((*m)->envelope().getTrainingRequest());
  }
  auto allocs = g.initAllocations(options.allocations.size());
  for (size_t i = 0; i < options.allocations.size(); ++i) {
    allocs[i].setAddress(dataOf(options.allocations[i].address));
    allocs[i].setAmount(options.allocations[i].amount);
  }
  g.setTimestamp(options.timestamp);
  Bytes bytes = encodeMessage(mb.getRoot<schema::Envelope>().asReader());
  // Round-trip through the reader so a bad file is never written.
  auto check = decodeMessage(bytes);
  if (!check) return check.status();
  auto parsed = parseGenesis(std::shared_ptr<const Message>(std::move(*check)));
  if (!parsed) return parsed.status();
  return bytes;
}

}  // namespace pot
