// A small real chain for consensus tests: keys, genesis, a registered model, valid blocks, and
// re-sealing.
#pragma once

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/block_assembly.h"
#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/compute_profile.h"
#include "libcommon/consensus/declaration.h"
#include "libcommon/consensus/genesis.h"
#include "libcommon/consensus/header.h"
#include "libcommon/consensus/memory_chain.h"
#include "libcommon/consensus/poa.h"
#include "libcommon/consensus/pos.h"
#include "libcommon/consensus/transaction.h"
#include "libcommon/consensus/validate.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"
#include "tests/unit/consensus/make_request.h"

namespace pot::testing {

inline Hash256 tagged(const std::string& s) { return sha256(s); }

inline MessagePtr decodeOrDie(const Bytes& bytes) {
  auto m = decodeMessage(bytes);
  EXPECT_TRUE(m) << m.status().message();
  return std::move(*m);
}

constexpr uint64_t kCoin = 100000000ull;
constexpr uint64_t kGenesisTime = 1700000000;

// What one block's round produced.
struct Round {
  std::vector<MessagePtr> declarations;
  MessagePtr header;
  std::vector<MessagePtr> signatures;
  MessagePtr block;
  uint64_t now = 0;
};

// Four nodes and an employer on a genesis with a dummy model (C = 2); block 1
// trains the dummy and registers the employer's model (C = 2, fee per stage)
// with a deposit; block 2 trains that model's stage 1 and is the block the
// reject tests break, one rule at a time.
class ConsensusFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) nodes.push_back(std::move(*SigningKey::generate()));
    employer = std::make_unique<SigningKey>(std::move(*SigningKey::generate()));
    for (auto& n : nodes) keys[n.publicKey()] = &n;
    keys[employer->publicKey()] = employer.get();

    GenesisOptions g;
    g.params = defaultChainParams();
    g.params.stakeholders = 3;
    g.params.minDeclarers = 1;
    g.params.maxDeclarers = 8;
    g.params.minStakeAge = 10;
    g.params.maxStakeAge = 100000;
    g.params.maxClockDrift = 15;
    g.params.initialBlockReward = 50 * kCoin;
    g.params.halvingInterval = 1000;
    g.params.rewardSplit = {4000, 2000, 4000};
    // About one second in four passes for a node's whole balance at age ~1000 s.
    g.params.declarationBaseTarget = divideU64(uint256Max(), 4 * 1000 * kCoin * 1000);
    g.params.headerBaseTarget = g.params.declarationBaseTarget;
    g.deriveDeclarationTarget = g.deriveHeaderTarget = false;
    tune(g.params);
    for (auto& n : nodes) g.allocations.push_back({n.publicKey(), 1000 * kCoin});
    g.allocations.push_back({employer->publicKey(), 500 * kCoin});
    g.timestamp = kGenesisTime;
    g.dummyRequest = makeRequest(*employer, 5, 2, 0, "dummy");
    auto bytes = makeGenesis(g);
    ASSERT_TRUE(bytes) << bytes.status().message();
    genesisBytes = *bytes;
    auto gen = parseGenesis(std::shared_ptr<const Message>(decodeOrDie(*bytes)));
    ASSERT_TRUE(gen) << gen.status().message();
    auto c = MemoryChain::create(*gen);
    ASSERT_TRUE(c);
    chain = std::move(*c);
    dummyId = gen->dummyModel->modelId;

    requestBytes = makeRequest(*employer, 3, 2, 10 * kCoin + 1, "real");
    auto reqMsg = decodeOrDie(requestBytes);
    modelId = modelIdOf(reqMsg->envelope().getTrainingRequest());
    txs1.push_back(decodeOrDie(*makeRegistration(*employer, 0, 1000, *reqMsg)));
    txs1.push_back(decodeOrDie(makeTransfer(*employer, 1, 500, escrowAddress(modelId), deposit())));

    round1 = playRound(dummyId, 1, {&nodes[0], &nodes[1], &nodes[2]}, &nodes[3], txs1,
                       kGenesisTime + 2000);
    ASSERT_TRUE(round1.block);
    Status s = chain->addBlock(*round1.block, round1.now);
    ASSERT_TRUE(s) << s.message();

    txs2.push_back(decodeOrDie(makeTransfer(nodes[0], 0, 700, employer->publicKey(), 5 * kCoin)));
    if (depositInBlock2())
      txs2.push_back(
          decodeOrDie(makeTransfer(*employer, 2, 0, escrowAddress(modelId), depositInBlock2())));
    round2 = playRound(modelId, 1, {&nodes[1], &nodes[2]}, &nodes[0], txs2, round1.now + 2000);
    ASSERT_TRUE(round2.block);
  }

  // Lets a test suite change the chain parameters before the genesis is made.
  virtual void tune(ChainParams&) {}
  // The employer's escrow deposit in block 1, and one more in block 2 (0: none).
  virtual uint64_t deposit() { return 100 * kCoin; }
  virtual uint64_t depositInBlock2() { return 0; }

  static Hash256 rhoFor(const Hash256& model, uint32_t stage) {
    return tagged("rho/" + model.hex() + "/" + std::to_string(stage));
  }
  // Virtual so a test can make two models reach the same state hash.
  virtual Hash256 stateFor(const Hash256& model, uint32_t stage) const {
    return tagged("state/" + model.hex() + "/" + std::to_string(stage));
  }

  // Alg. 1 and 2 with real keys on the chain tip: declare, build, stake, wrap.
  Round playRound(const Hash256& model, uint32_t stage, std::vector<SigningKey*> declarers,
                  SigningKey* builder, const std::vector<MessagePtr>& txs, uint64_t now) {
    Round r;
    r.now = now;
    Clock clock = fixedClock(now);
    for (SigningKey* k : declarers) {
      DeclareOptions o;
      o.modelId = model;
      o.stage = stage;
      o.stateHash = stateFor(model, stage);
      o.rho = rhoFor(model, stage);
      auto td = declare(*chain, *k, o, clock);
      EXPECT_TRUE(td) << td.status().message();
      if (!td) return r;
      r.declarations.push_back(decodeOrDie(*td));
    }
    std::vector<const Message*> tds;
    for (auto& m : r.declarations) tds.push_back(m.get());
    BuildHeaderOptions ho;
    ho.rho = rhoFor(model, stage);
    ho.stateHash = stateFor(model, stage);
    auto hdr = buildHeader(*chain, *builder, tds, ho, clock);
    EXPECT_TRUE(hdr) << hdr.status().message();
    if (!hdr) return r;
    r.header = decodeOrDie(hdr->header);
    auto drawn = stakeholdersOf(*chain, r.header->envelope().getBlockHeader());
    EXPECT_TRUE(drawn);
    const uint32_t k = chain->params().stakeholders;
    BlockParts parts;
    parts.header = r.header.get();
    for (uint32_t i = 1; i < k; ++i) {
      auto out = stake(*chain, *keys.at((*drawn)[i - 1]), parts);
      EXPECT_TRUE(out) << out.status().message();
      if (!out) return r;
      EXPECT_FALSE(out->isBlock);
      r.signatures.push_back(decodeOrDie(out->message));
      parts.signatures.push_back(r.signatures.back().get());
    }
    parts.declarations = tds;
    for (auto& t : txs) parts.transactions.push_back(t.get());
    auto out = stake(*chain, *keys.at((*drawn)[k - 1]), parts);
    EXPECT_TRUE(out) << out.status().message();
    if (!out) return r;
    EXPECT_TRUE(out->isBlock);
    r.block = decodeOrDie(out->message);
    return r;
  }

  // ---- breaking one rule: edit a copy of the valid block, then re-seal the
  // layers that cover the edit so that only the intended rule fails.
  struct Edit {
    capnp::MallocMessageBuilder mb;
    schema::Block::Builder block() { return mb.getRoot<schema::Envelope>().getBlock(); }
    schema::BlockHeader::Body::Builder header() { return block().getBody().getHeader().getBody(); }
    schema::TrainingDeclaration::Builder td(uint32_t i) {
      return block().getBody().getDeclarations()[i];
    }
  };
  std::unique_ptr<Edit> edit(const Message& m) {
    auto e = std::make_unique<Edit>();
    e->mb.setRoot(m.envelope());
    return e;
  }

  enum Layer { kDeclarations = 0, kHeader, kStakeholders, kCoinbase, kBlockSig, kNone };

  void signTd(schema::TrainingDeclaration::Builder td) {
    auto b = td.getBody();
    const SigningKey* k = keys.at(hashFrom(b.getPubkey()));
    Bytes sig = signBody(*k, Domain::kDeclaration, b.asReader());
    td.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  }

  // Re-signs from layer `from` upward, leaving out layer `skip`.
  void reseal(Edit& e, Layer from, Layer skip = kNone) {
    auto body = e.block().getBody();
    if (from <= kDeclarations && skip != kDeclarations) {
      for (auto td : body.getDeclarations()) signTd(td);
    }
    if (from <= kHeader && skip != kHeader) {
      auto ids = e.header().getDeclarations();
      auto tds = body.getDeclarations();
      for (uint32_t i = 0; i < ids.size() && i < tds.size(); ++i)
        ids.set(i, dataOf(messageId(Domain::kDeclaration, tds[i].getBody().asReader())));
      auto h = body.getHeader();
      const SigningKey* k = keys.at(hashFrom(h.getBody().getPubkey()));
      Bytes sig = signBody(*k, Domain::kHeader, h.getBody().asReader());
      h.setSignature(kj::arrayPtr(sig.data(), sig.size()));
    }
    if (from <= kStakeholders && skip != kStakeholders) {
      auto drawn = stakeholdersOf(*chain, body.getHeader().asReader());
      ASSERT_TRUE(drawn) << drawn.status().message();
      const Hash256 hid = headerIdOf(body.getHeader().asReader());
      auto sigs = body.getStakeholderSignatures();
      for (uint32_t i = 0; i < sigs.size(); ++i) {
        auto m = decodeOrDie(signStakeholder(*keys.at((*drawn)[i]), hid, i + 1));
        sigs.setWithCaveats(i, m->envelope().getStakeholderSignature());
      }
      body.setWrapper(dataOf(drawn->back()));
    }
    if (from <= kCoinbase && skip != kCoinbase) {
      auto cb = expectedCoinbase(*chain, e.block().asReader());
      ASSERT_TRUE(cb) << cb.status().message();
      auto list = body.initCoinbase(cb->size());
      for (size_t i = 0; i < cb->size(); ++i) {
        list[i].setTo(dataOf((*cb)[i].to));
        list[i].setAmount((*cb)[i].amount);
        list[i].setKind((*cb)[i].kind);
      }
    }
    if (from <= kBlockSig && skip != kBlockSig) {
      const SigningKey* k = keys.at(hashFrom(body.getWrapper()));
      Bytes sig = signBody(*k, Domain::kBlock, body.asReader());
      e.block().setSignature(kj::arrayPtr(sig.data(), sig.size()));
    }
  }

  // Validates the edited block as a single import does, and again with its
  // signatures and ids checked ahead as bulk import does (checkWrapper,
  // checkOtherSignatures): both must give the same verdict, code and message.
  ValidationResult check(Edit& e, uint64_t now = 0) {
    Bytes bytes = encodeMessage(e.mb.getRoot<schema::Envelope>().asReader());
    if (!now) now = round2.now;
    ValidationResult plain = validateBlockBytes(*chain, bytes, now);
    auto m = decodeMessage(bytes);
    if (m && (*m)->kind() == schema::Envelope::BLOCK) {
      auto block = (*m)->envelope().getBlock();
      BlockSignatures ahead = checkWrapper(block);
      checkOtherSignatures(block, ahead);
      ValidationResult bulk = validateBlock(*chain, **m, now, &ahead);
      EXPECT_EQ(bulk.valid(), plain.valid());
      EXPECT_EQ(rejectName(bulk.reason), rejectName(plain.reason));
      EXPECT_EQ(bulk.message, plain.message);
    }
    return plain;
  }

  std::vector<SigningKey> nodes;
  std::unique_ptr<SigningKey> employer;
  std::map<PublicKey, const SigningKey*> keys;
  Bytes genesisBytes, requestBytes;
  std::unique_ptr<MemoryChain> chain;
  Hash256 dummyId, modelId;
  std::vector<MessagePtr> txs1, txs2;
  Round round1, round2;
};

}  // namespace pot::testing
