// Property test (DESIGN 8): random edits of random fields of a valid block,
// every part re-signed by the adversary; the validator's verdict must equal a
// small model of the rules written here from docs/protocol.md, not from the
// validator. POT_RESIGN_BLOCKS sets how many blocks (CI: a sample; bench:
// >= 10000), POT_RESIGN_SEED the seed, POT_RESIGN_DUMP a folder that gets
// the first POT_RESIGN_DUMP_COUNT (40) blocks and their expected verdicts
// for the tools (tests/resign/resign_cli_test.sh, bench/hardening/run.sh).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "libcommon/consensus/block.h"
#include "libcommon/core/fileio.h"
#include "tests/resign/resign.h"
#include "tests/unit/consensus/consensus_fixture.h"

namespace pot::testing {
namespace {

Bytes bytesOf(const Hash256& h) {
  auto d = dataOf(h);
  return Bytes(d.begin(), d.end());
}

uint64_t envNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

// Kernels always pass with maximal targets, so the model needs no PoS
// arithmetic: what is left are the rules a re-signing adversary can break.
class ResignProperty : public ConsensusFixture {
 protected:
  void tune(ChainParams& p) override {
    p.declarationBaseTarget = uint256Max();
    p.headerBaseTarget = uint256Max();
  }
  void SetUp() override {
    ConsensusFixture::SetUp();
    for (auto& n : nodes) ring.add(n);
    ring.add(*employer);
    for (int i = 0; i < 2; ++i) outsiders.push_back(std::move(*SigningKey::generate()));
    for (auto& o : outsiders) ring.add(o);
  }
  resign::Keyring ring;
  std::vector<SigningKey> outsiders;  // keys without coins
};

// One edit: what it did, what to leave unrecomputed, and the model's verdict.
struct Outcome {
  std::string what;
  resign::Keep keep;
  bool valid = false;
};

TEST_F(ResignProperty, VerdictEqualsTheModel) {
  ASSERT_TRUE(round2.block);
  const uint64_t count = envNumber("POT_RESIGN_BLOCKS", 400);
  std::mt19937_64 rng(envNumber("POT_RESIGN_SEED", 1));
  const std::string dump = std::getenv("POT_RESIGN_DUMP") ? std::getenv("POT_RESIGN_DUMP") : "";

  // Facts of the chain the model reads (not rules): times, balances, ages.
  auto b2 = round2.block->envelope().getBlock().getBody();
  auto h2 = b2.getHeader().getBody();
  const Hash256 parent = hashFrom(h2.getParent());
  const LedgerReader* state = chain->stateAt(parent);
  ASSERT_NE(state, nullptr);
  auto account = [&](const PublicKey& k) { return state->account(k).value_or(Account{}); };
  const uint64_t parentTime =
      round1.block->envelope().getBlock().getBody().getHeader().getBody().getTimestamp();
  const uint64_t headerTime = h2.getTimestamp();
  const uint64_t now = round2.now;
  const auto& params = chain->params();
  uint64_t latestTd = 0;
  for (auto td : b2.getDeclarations()) latestTd = std::max(latestTd, td.getBody().getTimestamp());
  const uint32_t nTd = b2.getDeclarations().size();
  ASSERT_GE(nTd, 2u);
  ASSERT_EQ(b2.getTransactions().size(), 1u);

  auto randomBytes = [&](size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
  };
  auto setData = [](auto setter, const Bytes& b) { setter(kj::arrayPtr(b.data(), b.size())); };
  auto pick = [&](uint64_t n) { return static_cast<uint32_t>(rng() % n); };
  auto otherLength = [&] {
    size_t n;
    do n = pick(65);
    while (n == 32);
    return n;
  };
  auto otherKey = [&](const PublicKey& not_) {
    const SigningKey* k;
    do k = pick(2) ? &nodes[pick(nodes.size())] : &outsiders[pick(outsiders.size())];
    while (k->publicKey() == not_);
    return k->publicKey();
  };
  // Age rule and coinstake rule of a staker (docs/protocol.md: bad-coinstake,
  // stake-too-young); max targets make the kernel rules always pass.
  auto stakeOk = [&](const PublicKey& staker, uint64_t amount, uint64_t time) {
    Account a = account(staker);
    return amount >= 1 && amount <= a.balance && time >= a.ageSince &&
           time - a.ageSince >= params.minStakeAge;
  };

  using Mutation = std::function<Outcome(resign::BlockEdit&)>;
  std::vector<Mutation> mutations;
  auto hdr = [](resign::BlockEdit& e) { return e.header(); };
  auto td = [](resign::BlockEdit& e, uint32_t i) {
    return e.body().getDeclarations()[i].getBody();
  };

  // ---- header fields
  mutations.push_back([&](resign::BlockEdit& e) {
    hdr(e).setHeight(hdr(e).getHeight() + 1 + pick(1000));
    return Outcome{"header.height", {}, false};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    bool size32 = pick(2);
    setData([&](auto d) { hdr(e).setParent(d); }, randomBytes(size32 ? 32 : otherLength()));
    return Outcome{"header.parent", {}, false};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    setData([&](auto d) { hdr(e).setModelId(d); }, pick(2) ? randomBytes(32) : bytesOf(dummyId));
    return Outcome{"header.modelId", {}, false};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    hdr(e).setStage(hdr(e).getStage() + 1 + pick(5));
    return Outcome{"header.stage", {}, false};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    setData([&](auto d) { hdr(e).setStateHash(d); }, randomBytes(32));
    return Outcome{"header.stateHash", {}, false};
  });
  // rho is a secret the validator cannot check without re-executing: a new
  // one is valid when every declarer re-commits to it, invalid when not.
  mutations.push_back([&](resign::BlockEdit& e) {
    setData([&](auto d) { hdr(e).setRho(d); }, randomBytes(32));
    resign::Keep keep;
    keep.commitments = pick(2);
    return Outcome{keep.commitments ? "header.rho (commitments kept)" : "header.rho", keep,
                   !keep.commitments};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    auto ids = hdr(e).getDeclarations();
    uint32_t i = pick(ids.size());
    auto b = randomBytes(pick(2) ? 32 : otherLength());
    ids.set(i, kj::arrayPtr(b.data(), b.size()));
    resign::Keep keep;
    keep.headerIds = true;
    return Outcome{"header.declarations[i]", keep, false};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    int64_t d = static_cast<int64_t>(pick(5001)) - 2500;
    uint64_t t = headerTime + d;
    hdr(e).setTimestamp(t);
    PublicKey builder = hashFrom(hdr(e).getPubkey());
    bool ok = t > parentTime && t <= now + params.maxClockDrift && t >= latestTd &&
              stakeOk(builder, hdr(e).getCoinstake().getAmount(), t);
    return Outcome{"header.timestamp", {}, ok};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    PublicKey builder = hashFrom(hdr(e).getPubkey());
    uint64_t a = rng() % (2 * account(builder).balance + 2);
    hdr(e).getCoinstake().setAmount(a);
    return Outcome{"header.coinstake.amount", {}, stakeOk(builder, a, headerTime)};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    auto k = otherKey(hashFrom(hdr(e).getPubkey()));
    hdr(e).getCoinstake().setStaker(dataOf(k));
    return Outcome{"header.coinstake.staker", {}, false};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    auto k = otherKey(hashFrom(hdr(e).getPubkey()));
    hdr(e).setPubkey(dataOf(k));
    return Outcome{"header.pubkey", {}, false};
  });
  // Free: the loss-trace hash is optional and unchecked without --reexecute.
  mutations.push_back([&](resign::BlockEdit& e) {
    uint32_t form = pick(3);
    if (form == 0)
      hdr(e).disownLossTraceHash();
    else
      setData([&](auto d) { hdr(e).setLossTraceHash(d); },
              randomBytes(form == 1 ? 32 : otherLength()));
    return Outcome{"header.lossTraceHash", {}, form != 2 || hdr(e).getLossTraceHash().size() == 0};
  });
  // ---- declaration fields
  mutations.push_back([&](resign::BlockEdit& e) {
    uint32_t i = pick(nTd), f = pick(5);
    auto b = td(e, i);
    const char* names[] = {"modelId", "stage", "stateHash", "anchor", "commitment"};
    resign::Keep keep;
    if (f == 0) setData([&](auto d) { b.setModelId(d); }, randomBytes(32));
    if (f == 1) b.setStage(b.getStage() + 1 + pick(3));
    if (f == 2) setData([&](auto d) { b.setStateHash(d); }, randomBytes(32));
    if (f == 3) setData([&](auto d) { b.setAnchor(d); }, randomBytes(32));
    if (f == 4) {
      setData([&](auto d) { b.setCommitment(d); }, randomBytes(32));
      keep.commitments = true;
    }
    return Outcome{std::string("declarations[i].") + names[f], keep, false};
  });
  // Free: a declaration's rand, when its commitment is made again.
  mutations.push_back([&](resign::BlockEdit& e) {
    bool size32 = pick(4) != 0;
    setData([&](auto d) { td(e, pick(nTd)).setRand(d); }, randomBytes(size32 ? 32 : otherLength()));
    return Outcome{"declarations[i].rand", {}, size32};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    uint32_t i = pick(nTd);
    auto b = td(e, i);
    int64_t d = static_cast<int64_t>(pick(2401)) - 2300;
    uint64_t t = b.getTimestamp() + d;
    b.setTimestamp(t);
    bool ok = t > parentTime && t <= headerTime &&
              stakeOk(hashFrom(b.getPubkey()), b.getCoinstake().getAmount(), t);
    return Outcome{"declarations[i].timestamp", {}, ok};
  });
  // Declarations are made at the earliest second (anchor + 1) and the header
  // at its parent + 1, so a later header makes room for other declaration times.
  mutations.push_back([&](resign::BlockEdit& e) {
    uint64_t th = headerTime + pick(11);
    hdr(e).setTimestamp(th);
    auto b = td(e, pick(nTd));
    uint64_t t = parentTime - 2 + pick(th - parentTime + 5);
    b.setTimestamp(t);
    uint64_t latest = 0;
    for (auto x : e.body().getDeclarations()) latest = std::max(latest, x.getBody().getTimestamp());
    bool ok = t > parentTime && latest <= th && th <= now + params.maxClockDrift &&
              stakeOk(hashFrom(b.getPubkey()), b.getCoinstake().getAmount(), t) &&
              stakeOk(hashFrom(hdr(e).getPubkey()), hdr(e).getCoinstake().getAmount(), th);
    return Outcome{"header and declarations[i] timestamps", {}, ok};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    auto b = td(e, pick(nTd));
    PublicKey k = hashFrom(b.getPubkey());
    uint64_t a = rng() % (2 * account(k).balance + 2);
    b.getCoinstake().setAmount(a);
    return Outcome{"declarations[i].coinstake.amount", {}, stakeOk(k, a, b.getTimestamp())};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    auto b = td(e, pick(nTd));
    auto k = otherKey(hashFrom(b.getPubkey()));
    if (pick(2))
      b.getCoinstake().setStaker(dataOf(k));
    else
      b.setPubkey(dataOf(k));
    return Outcome{"declarations[i].pubkey or staker", {}, false};
  });
  // Free: the order of the declarations (the header names them in the same order).
  mutations.push_back([&](resign::BlockEdit& e) {
    auto tds = e.body().getDeclarations();
    uint32_t i = pick(nTd), j = (i + 1 + pick(nTd - 1)) % nTd;
    capnp::MallocMessageBuilder tmp;
    auto copy = tmp.initRoot<schema::TrainingDeclaration>();
    copy.setBody(tds[i].getBody().asReader());
    copy.setSignature(tds[i].getSignature().asReader());
    tds.setWithCaveats(i, tds[j].asReader());
    tds.setWithCaveats(j, copy.asReader());
    return Outcome{"declaration order", {}, true};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    auto old = e.body().getDeclarations();
    capnp::MallocMessageBuilder tmp;
    auto keepList = tmp.initRoot<schema::Block::Body>().initDeclarations(old.size());
    for (uint32_t i = 0; i < old.size(); ++i) keepList.setWithCaveats(i, old[i].asReader());
    bool drop = pick(2);
    uint32_t which = pick(old.size());
    std::vector<uint32_t> order;
    for (uint32_t i = 0; i < old.size(); ++i) {
      if (drop && i == which) continue;
      order.push_back(i);
      if (!drop && i == which) order.push_back(i);
    }
    auto list = e.body().initDeclarations(static_cast<unsigned>(order.size()));
    for (uint32_t k = 0; k < order.size(); ++k)
      list.setWithCaveats(k, keepList[order[k]].asReader());
    return Outcome{drop ? "drop a declaration" : "duplicate a declaration", {}, false};
  });
  // ---- endorsements, wrapper and coinbase, kept as edited
  mutations.push_back([&](resign::BlockEdit& e) {
    resign::Keep keep;
    keep.stakeholders = true;
    auto sigs = e.body().getStakeholderSignatures();
    uint32_t f = pick(4);
    if (f == 0) {
      auto s = sigs[pick(sigs.size())].getBody();
      s.setIndex(s.getIndex() + 1 + pick(3));
    } else if (f == 1) {
      setData([&](auto d) { sigs[pick(sigs.size())].getBody().setHeaderId(d); }, randomBytes(32));
    } else if (f == 2) {
      auto s = sigs[pick(sigs.size())].getBody();
      s.setPubkey(dataOf(otherKey(hashFrom(s.getPubkey()))));
      // signed by the key it names, so only the draw rule is broken
      auto* k = ring.find(hashFrom(s.getPubkey()));
      Bytes sig = signBody(*k, Domain::kStakeSig, s.asReader());
      for (auto x : sigs)
        if (x.getBody().getIndex() == s.getIndex())
          x.setSignature(kj::arrayPtr(sig.data(), sig.size()));
    } else {
      e.body().setWrapper(dataOf(otherKey(hashFrom(e.body().getWrapper()))));
    }
    return Outcome{"stakeholders or wrapper", keep, false};
  });
  mutations.push_back([&](resign::BlockEdit& e) {
    resign::Keep keep;
    keep.coinbase = true;
    auto cb = e.body().getCoinbase();
    auto p = cb[pick(cb.size())];
    uint32_t f = pick(3);
    if (f == 0) p.setAmount(p.getAmount() + 1 + pick(1000));
    if (f == 1) setData([&](auto d) { p.setTo(d); }, randomBytes(32));
    if (f == 2)
      p.setKind(p.getKind() == schema::PayoutKind::WRAPPER ? schema::PayoutKind::STAKEHOLDER
                                                           : schema::PayoutKind::WRAPPER);
    return Outcome{"coinbase", keep, false};
  });
  // ---- transactions
  auto signTx = [&](schema::Transaction::Builder tx) {
    auto* k = ring.find(hashFrom(tx.getBody().getSender()));
    Bytes sig = signBody(*k, Domain::kTx, tx.getBody().asReader());
    tx.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  };
  mutations.push_back([&](resign::BlockEdit& e) {
    auto tx = e.body().getTransactions()[0];
    auto b = tx.getBody();
    Account a = account(hashFrom(b.getSender()));
    uint32_t f = pick(5);
    bool ok = false;
    std::string what;
    auto fits = [&](uint64_t fee, uint64_t amount) {
      return fee <= a.balance && amount <= a.balance - fee;
    };
    if (f == 0) {
      b.setNonce(b.getNonce() + 1 + pick(3));
      what = "tx.nonce";
    } else if (f == 1) {
      b.setFee(rng() % (2 * a.balance + 2));
      ok = fits(b.getFee(), b.getTransfer().getAmount());
      what = "tx.fee";
    } else if (f == 2) {
      b.getTransfer().setAmount(rng() % (2 * a.balance + 2));
      ok = fits(b.getFee(), b.getTransfer().getAmount());
      what = "tx.transfer.amount";
    } else if (f == 3) {
      bool size32 = pick(4) != 0;
      setData([&](auto d) { b.getTransfer().setTo(d); }, randomBytes(size32 ? 32 : otherLength()));
      ok = size32;
      what = "tx.transfer.to";
    } else {
      b.setSender(dataOf(outsiders[pick(outsiders.size())].publicKey()));
      what = "tx.sender";
    }
    signTx(tx);
    return Outcome{what, {}, ok};
  });
  // Free: which transactions a block carries; not twice the same one.
  mutations.push_back([&](resign::BlockEdit& e) {
    uint32_t f = pick(3);
    capnp::MallocMessageBuilder tmp;
    auto old = tmp.initRoot<schema::Transaction>();
    old.setBody(e.body().getTransactions()[0].getBody().asReader());
    old.setSignature(e.body().getTransactions()[0].getSignature().asReader());
    if (f == 0) {
      e.body().disownTransactions();
      return Outcome{"drop the transaction", {}, true};
    }
    auto list = e.body().initTransactions(2);
    list.setWithCaveats(0, old.asReader());
    if (f == 1) {
      list.setWithCaveats(1, old.asReader());
      return Outcome{"duplicate the transaction", {}, false};
    }
    // A fresh transfer by a node with its next nonce, signed by it.
    SigningKey& n = nodes[1 + pick(3)];
    Account a = account(n.publicKey());
    auto b = list[1].initBody();
    b.setSender(dataOf(n.publicKey()));
    b.setNonce(a.nonce);
    b.setFee(pick(1000));
    b.initTransfer().setTo(dataOf(employer->publicKey()));
    b.getTransfer().setAmount(1 + pick(1000));
    signTx(list[1]);
    return Outcome{"add a transaction", {}, true};
  });

  uint64_t valid = 0, invalid = 0, mismatches = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>> perEdit;  // valid, invalid
  const uint64_t dumpCount = envNumber("POT_RESIGN_DUMP_COUNT", 40);
  std::ofstream expected;
  if (!dump.empty()) expected.open(dump + "/expected.txt");
  for (uint64_t n = 0; n < count; ++n) {
    resign::BlockEdit e(*round2.block);
    Outcome o = mutations[pick(mutations.size())](e);
    resign::reseal(*chain, e, ring, o.keep);
    Bytes bytes = e.bytes();
    ValidationResult r = validateBlockBytes(*chain, bytes, now);
    (o.valid ? valid : invalid)++;
    (o.valid ? perEdit[o.what].first : perEdit[o.what].second)++;
    if (r.valid() != o.valid) {
      ++mismatches;
      ADD_FAILURE() << "edit '" << o.what << "': model says " << (o.valid ? "valid" : "invalid")
                    << ", validator says " << (r.valid() ? "valid" : r.toStatus().message());
    }
    if (!dump.empty() && n < dumpCount) {
      std::string name = "block" + std::to_string(n);
      ASSERT_TRUE(writeOutput(dump + "/" + name, bytes, true));
      expected << name << " " << (o.valid ? "valid" : "invalid") << "\n";
    }
  }
  if (!dump.empty()) {
    ASSERT_TRUE(writeOutput(dump + "/genesis", genesisBytes, true));
    ASSERT_TRUE(writeOutput(dump + "/block-1", round1.block->bytes(), true));
    std::ofstream(dump + "/now") << now << "\n";
  }
  std::cout << "resign property: " << count << " re-signed blocks, model valid " << valid
            << ", model invalid " << invalid << ", mismatches " << mismatches << "\n";
  for (auto& [what, vi] : perEdit)
    std::cout << "  " << what << ": " << vi.first << " valid, " << vi.second << " invalid\n";
  // The test can fail both ways: each side was exercised.
  EXPECT_GT(valid, 0u);
  EXPECT_GT(invalid, 0u);
}

// One form of empty in a block (docs/protocol.md, Encoding): a correctly
// re-signed block is refused as non-canonical when any List, Data or Text
// field of its body, header, declarations, endorsements or transactions is
// zero-length instead of null; null transactions and loss-trace hash are valid.
TEST_F(ResignProperty, ZeroLengthFormIsNonCanonicalWhenResigned) {
  // With POT_RESIGN_DUMP, its subfolder empty/ gets this test's chain and blocks.
  std::string dump = std::getenv("POT_RESIGN_DUMP") ? std::getenv("POT_RESIGN_DUMP") : "";
  if (!dump.empty()) {
    dump += "/empty";
    std::filesystem::create_directories(dump);
    ASSERT_TRUE(writeOutput(dump + "/genesis", genesisBytes, true));
    ASSERT_TRUE(writeOutput(dump + "/block-1", round1.block->bytes(), true));
  }
  // The valid form: no transactions, no loss trace, both null.
  {
    resign::BlockEdit e(*round2.block);
    e.body().disownTransactions();
    e.header().disownLossTraceHash();
    resign::reseal(*chain, e, ring);
    auto r = validateBlockBytes(*chain, e.bytes(), round2.now);
    EXPECT_TRUE(r.valid()) << r.toStatus().message();
    if (!dump.empty()) ASSERT_TRUE(writeOutput(dump + "/null-transactions", e.bytes(), true));
  }
  // Every pointer field of the parts a block carries, zero-length in turn.
  struct Part {
    const char* name;
    std::function<capnp::DynamicStruct::Builder(resign::BlockEdit&)> get;
  };
  std::vector<Part> parts = {
      {"body", [](resign::BlockEdit& e) { return capnp::toDynamic(e.body()); }},
      {"header.body", [](resign::BlockEdit& e) { return capnp::toDynamic(e.header()); }},
      {"declarations[0].body",
       [](resign::BlockEdit& e) {
         return capnp::toDynamic(e.body().getDeclarations()[0].getBody());
       }},
      {"stakeholderSignatures[0].body",
       [](resign::BlockEdit& e) {
         return capnp::toDynamic(e.body().getStakeholderSignatures()[0].getBody());
       }},
      {"transactions[0].body",
       [](resign::BlockEdit& e) {
         return capnp::toDynamic(e.body().getTransactions()[0].getBody());
       }},
      {"transactions[0].body.transfer",
       [](resign::BlockEdit& e) {
         return capnp::toDynamic(e.body().getTransactions()[0].getBody().getTransfer());
       }},
  };
  int checked = 0;
  for (auto& part : parts) {
    resign::BlockEdit probe(*round2.block);
    for (auto f : part.get(probe).getSchema().getFields()) {
      auto w = f.getType().which();
      using capnp::schema::Type;
      if (w != Type::LIST && w != Type::DATA && w != Type::TEXT) continue;
      std::string name = std::string(part.name) + "." + f.getProto().getName().cStr();
      SCOPED_TRACE(name);
      resign::BlockEdit e(*round2.block);
      part.get(e).init(f, 0);
      resign::Keep keep;  // keep the zero-length value where reseal would recompute it
      keep.headerIds = name == "header.body.declarations";
      keep.stakeholders = name == "body.stakeholderSignatures" || name == "body.wrapper" ||
                          name.rfind("stakeholderSignatures", 0) == 0;
      keep.commitments = name == "declarations[0].body.commitment";
      keep.coinbase = name == "body.coinbase";
      resign::reseal(*chain, e, ring, keep);
      // The block as the adversary lays it out: canonical, not normalised.
      capnp::MallocMessageBuilder env;
      env.initRoot<schema::Envelope>().setBlock(e.block().asReader());
      auto canon =
          capnp::AnyStruct::Reader(env.getRoot<schema::Envelope>().asReader()).canonicalize();
      Bytes raw(8, 0);
      for (int k = 0; k < 4; ++k) raw[4 + k] = static_cast<uint8_t>(canon.size() >> (8 * k));
      raw.insert(raw.end(), canon.asBytes().begin(), canon.asBytes().end());
      auto r = validateBlockBytes(*chain, raw, round2.now);
      EXPECT_EQ(r.reason, RejectReason::kNonCanonical) << r.toStatus().message();
      EXPECT_NE(r.message.find("is zero-length"), std::string::npos) << r.message;
      if (!dump.empty() && name == "body.transactions")
        ASSERT_TRUE(writeOutput(dump + "/empty-transactions", raw, true));
      ++checked;
    }
  }
  EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace pot::testing
