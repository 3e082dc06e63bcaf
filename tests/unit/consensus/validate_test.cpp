// Every reject code: a valid block broken in exactly one rule, re-sealed so only that rule fails.
#include "libcommon/consensus/validate.h"

#include <cmath>
#include <functional>
#include <random>

#include "consensus_fixture.h"

namespace pot::testing {
namespace {

using schema::TrainingDeclaration;

class Validate : public ConsensusFixture {
 protected:
  const LedgerReader& parentState() { return *chain->stateAt(chain->tip().id); }

  // A declaration timestamp in (lo, hi] whose kernel fails (or passes) for `td`.
  std::optional<uint64_t> tdTime(TrainingDeclaration::Reader td, uint64_t lo, uint64_t hi,
                                 bool passing) {
    auto b = td.getBody();
    for (uint64_t t = lo + 1; t <= hi; ++t) {
      auto target = stakeTarget(
          parentState(), chain->params(),
          {StakePhase::kDeclaration, hashFrom(b.getPubkey()), b.getCoinstake().getAmount(), t});
      if (!target) continue;
      Hash256 k =
          posKernel(StakePhase::kDeclaration, hashFrom(b.getAnchor()), hashFrom(b.getPubkey()),
                    hashFrom(b.getModelId()), b.getStage(), hashFrom(b.getStateHash()), t);
      if (meetsTarget(k, *target) == passing) return t;
    }
    return std::nullopt;
  }

  void expectCode(Edit& e, RejectReason reason, uint64_t now = 0) {
    auto v = check(e, now);
    EXPECT_FALSE(v.valid());
    EXPECT_EQ(rejectName(v.reason), rejectName(reason)) << v.message;
    EXPECT_EQ(v.exitCode(), ExitCode::kInvalid);
  }

  void setTransactions(Edit& e, const std::vector<const Message*>& txs) {
    auto list = e.block().getBody().initTransactions(txs.size());
    for (size_t i = 0; i < txs.size(); ++i)
      list.setWithCaveats(i, txs[i]->envelope().getTransaction());
  }
};

TEST_F(Validate, TheFixtureBlocksAreValid) {
  auto v = validateBlock(*chain, *round2.block, round2.now);
  EXPECT_TRUE(v.valid()) << rejectName(v.reason) << ": " << v.message;
  EXPECT_EQ(v.exitCode(), ExitCode::kOk);
  // Re-sealing an unchanged block changes nothing.
  auto e = edit(*round2.block);
  reseal(*e, kDeclarations);
  EXPECT_TRUE(check(*e).valid()) << check(*e).message;
  EXPECT_EQ(chain->tip().height, 1u);
  ASSERT_TRUE(chain->addBlock(*round2.block, round2.now));
  EXPECT_EQ(chain->tip().height, 2u);
  EXPECT_EQ(chain->stateAt(chain->tip().id)->model(modelId)->lastStage, 1u);
}

TEST_F(Validate, TrustIsTheHeaderDifficultyNotTheStake) {
  // The coinstake amount is the builder's choice and not in the kernel, so
  // trust must not depend on it: a valid block adds exactly the difficulty's
  // trust, though its own weighted target differs from the difficulty.
  const Uint256 expected = blockTrust(chain->genesis().params.headerBaseTarget);
  auto v2 = validateBlock(*chain, *round2.block, round2.now);
  ASSERT_TRUE(v2.valid()) << v2.message;
  EXPECT_EQ(v2.trust, expected);
  EXPECT_NE(v2.headerTarget, chain->genesis().params.headerBaseTarget);  // weighted
}

TEST_F(Validate, BadDeclarationSignature) {
  auto e = edit(*round2.block);
  auto sig = e->td(1).getSignature();
  sig[0] ^= 1;
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kBadTdSig);
}

TEST_F(Validate, BadHeaderSignature) {
  auto e = edit(*round2.block);
  e->block().getBody().getHeader().getSignature()[5] ^= 1;
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kBadHeaderSig);
}

TEST_F(Validate, BadStakeholderSignature) {
  auto e = edit(*round2.block);
  e->block().getBody().getStakeholderSignatures()[1].getSignature()[3] ^= 1;
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kBadStakeSig);
}

TEST_F(Validate, BadWrapperSignature) {
  auto e = edit(*round2.block);
  e->block().getSignature()[9] ^= 1;
  expectCode(*e, RejectReason::kBadBlockSig);
}

TEST_F(Validate, BadTransactionSignature) {
  auto e = edit(*round2.block);
  e->block().getBody().getTransactions()[0].getSignature()[0] ^= 1;
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kBadTxSig);
}

TEST_F(Validate, DeclarationKernelAboveTarget) {
  auto e = edit(*round2.block);
  auto td = e->td(0);
  auto anchorTime = chain->blockInfo(hashFrom(td.getBody().getAnchor()))->timestamp;
  auto t = tdTime(td.asReader(), anchorTime + 10, e->header().getTimestamp(), false);
  ASSERT_TRUE(t);
  td.getBody().setTimestamp(*t);
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kTdKernelAboveTarget);
}

TEST_F(Validate, HeaderKernelAboveTarget) {
  auto e = edit(*round2.block);
  auto h = e->header();
  const auto& state = parentState();
  uint64_t latest = 0;
  for (auto td : e->block().getBody().getDeclarations())
    latest = std::max(latest, td.getBody().getTimestamp());
  bool found = false;
  for (uint64_t t = latest; t <= round2.now; ++t) {
    auto target = stakeTarget(
        state, chain->params(),
        {StakePhase::kHeader, hashFrom(h.getPubkey()), h.getCoinstake().getAmount(), t});
    h.setTimestamp(t);
    if (target && !meetsTarget(kernelOf(e->block().getBody().getHeader().asReader()), *target)) {
      found = true;
      break;
    }
  }
  ASSERT_TRUE(found);
  reseal(*e, kHeader);
  expectCode(*e, RejectReason::kHeaderKernelAboveTarget);
}

TEST_F(Validate, StakeTooYoung) {
  // Declarer 1 staked in block 1, so its coin age restarted at block 1's time.
  auto e = edit(*round2.block);
  auto td = e->td(0);
  const uint64_t b1 = chain->tip().timestamp;
  ASSERT_EQ(parentState().account(hashFrom(td.getBody().getPubkey()))->ageSince, b1);
  td.getBody().setTimestamp(b1 + chain->params().minStakeAge - 1);
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kStakeTooYoung);
}

TEST_F(Validate, CommitmentNotMatchingRho) {
  auto e = edit(*round2.block);
  auto b = e->td(1).getBody();
  b.setCommitment(dataOf(commitmentOf(tagged("another rho"), hashFrom(b.getRand()))));
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kTdCommitmentMismatch);
}

TEST_F(Validate, StateHashMismatch) {
  auto e = edit(*round2.block);
  e->td(0).getBody().setStateHash(dataOf(tagged("another state")));
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kStateHashMismatch);
}

TEST_F(Validate, FewerThanCDeclarations) {
  auto e = edit(*round2.block);
  capnp::MallocMessageBuilder keep;
  keep.setRoot(e->td(0).asReader());
  auto body = e->block().getBody();
  body.initDeclarations(1).setWithCaveats(0, keep.getRoot<TrainingDeclaration>().asReader());
  e->header().initDeclarations(1);
  reseal(*e, kHeader);
  expectCode(*e, RejectReason::kWrongDeclarerCount);
}

TEST_F(Validate, DuplicateDeclarer) {
  // Declaration 2 replaced by a second one from declarer 1: same kernel, new rand.
  auto e = edit(*round2.block);
  capnp::MallocMessageBuilder copy;
  copy.setRoot(e->td(0).asReader());
  auto td = copy.getRoot<TrainingDeclaration>();
  Hash256 rand = tagged("fresh rand");
  td.getBody().setRand(dataOf(rand));
  td.getBody().setCommitment(dataOf(commitmentOf(rhoFor(modelId, 1), rand)));
  signTd(td);
  e->block().getBody().getDeclarations().setWithCaveats(1, td.asReader());
  reseal(*e, kHeader);
  expectCode(*e, RejectReason::kDuplicateVoter);
}

TEST_F(Validate, DeclarationForAnotherStage) {
  auto e = edit(*round2.block);
  e->td(1).getBody().setStage(2);
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kTdWrongStage);
}

TEST_F(Validate, DeclarationForAnotherModel) {
  auto e = edit(*round2.block);
  e->td(1).getBody().setModelId(dataOf(dummyId));
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kTdWrongModel);
}

TEST_F(Validate, DeclarationWithWrongAnchor) {
  auto e = edit(*round2.block);
  e->td(0).getBody().setAnchor(dataOf(chain->genesis().id));
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kTdWrongAnchor);
}

TEST_F(Validate, StageOutOfOrder) {
  auto e = edit(*round2.block);
  e->header().setStage(2);
  for (auto td : e->block().getBody().getDeclarations()) td.getBody().setStage(2);
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kStageOutOfOrder);
}

TEST_F(Validate, StakeholderSignaturesOutOfOrder) {
  auto e = edit(*round2.block);
  auto sigs = e->block().getBody().getStakeholderSignatures();
  capnp::MallocMessageBuilder a, b;
  a.setRoot(sigs[0].asReader());
  b.setRoot(sigs[1].asReader());
  sigs.setWithCaveats(0, b.getRoot<schema::StakeholderSignature>().asReader());
  sigs.setWithCaveats(1, a.getRoot<schema::StakeholderSignature>().asReader());
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kWrongStakeholder);
}

TEST_F(Validate, WrongWrapper) {
  auto e = edit(*round2.block);
  auto drawn = stakeholdersOf(*chain, e->block().getBody().getHeader().asReader());
  ASSERT_TRUE(drawn);
  PublicKey other;
  for (const auto& [pub, key] : keys)
    if (pub != drawn->back()) other = pub;
  e->block().getBody().setWrapper(dataOf(other));
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kWrongStakeholder);
}

TEST_F(Validate, BuilderCannotRedrawStakeholders) {
  // Fields the builder may vary without touching its PoS kernel give a new
  // header id, but the same stakeholders: the draw is seeded by the kernel.
  auto e = edit(*round2.block);
  auto header = e->block().getBody().getHeader();
  const Hash256 id0 = headerIdOf(header.asReader());
  auto drawn0 = stakeholdersOf(*chain, header.asReader());
  ASSERT_TRUE(drawn0);
  header.getBody().setLossTraceHash(dataOf(sha256("another trace")));
  header.getBody().getCoinstake().setAmount(header.getBody().getCoinstake().getAmount() - 1);
  EXPECT_NE(headerIdOf(header.asReader()), id0);
  auto drawn1 = stakeholdersOf(*chain, header.asReader());
  ASSERT_TRUE(drawn1);
  EXPECT_EQ(*drawn1, *drawn0);
  // The timestamp is in the kernel: a later second is a new draw (checked
  // over a few seconds, since two draws of 3 out of a few nodes can agree).
  bool changed = false;
  for (uint64_t dt = 1; dt <= 8 && !changed; ++dt) {
    header.getBody().setTimestamp(round2.now - 100 + dt);
    auto d = stakeholdersOf(*chain, header.asReader());
    ASSERT_TRUE(d);
    changed = *d != *drawn0;
  }
  EXPECT_TRUE(changed);
}

TEST_F(Validate, WrongStakeholderKey) {
  // Signature 1 by a key that was not drawn, correctly signed by that key.
  auto e = edit(*round2.block);
  auto drawn = stakeholdersOf(*chain, e->block().getBody().getHeader().asReader());
  ASSERT_TRUE(drawn);
  const SigningKey* other = nullptr;
  for (const auto& [pub, key] : keys)
    if (pub != (*drawn)[0]) other = key;
  auto m = decodeOrDie(
      signStakeholder(*other, headerIdOf(e->block().getBody().getHeader().asReader()), 1));
  e->block().getBody().getStakeholderSignatures().setWithCaveats(
      0, m->envelope().getStakeholderSignature());
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kWrongStakeholder);
}

TEST_F(Validate, UnknownParent) {
  auto e = edit(*round2.block);
  e->header().setParent(dataOf(tagged("nowhere")));
  // The stakeholders cannot be drawn without the parent: re-sign header and block only.
  auto h = e->block().getBody().getHeader();
  Bytes sig = signBody(*keys.at(hashFrom(h.getBody().getPubkey())), Domain::kHeader,
                       h.getBody().asReader());
  h.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kUnknownParent);
}

TEST_F(Validate, WrongHeight) {
  auto e = edit(*round2.block);
  e->header().setHeight(3);
  reseal(*e, kHeader);
  expectCode(*e, RejectReason::kBadHeight);
}

TEST_F(Validate, TimestampTooNew) {
  // The same valid block, judged by a clock more than maxDrift behind it.
  auto e = edit(*round2.block);
  const uint64_t ts = e->header().getTimestamp();
  expectCode(*e, RejectReason::kTimeTooNew, ts - chain->params().maxClockDrift - 1);
  EXPECT_TRUE(check(*e, ts - chain->params().maxClockDrift).valid());
}

TEST_F(Validate, TimestampNotAfterParent) {
  auto e = edit(*round2.block);
  e->header().setTimestamp(chain->tip().timestamp);
  reseal(*e, kHeader);
  expectCode(*e, RejectReason::kTimeTooOld);
}

TEST_F(Validate, DeclarationAfterHeader) {
  auto e = edit(*round2.block);
  const uint64_t ht = e->header().getTimestamp();
  e->td(0).getBody().setTimestamp(ht + 1);
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kTdAfterHeader, ht + 1);
}

TEST_F(Validate, DeclarationNotAfterItsAnchor) {
  auto e = edit(*round2.block);
  e->td(1).getBody().setTimestamp(chain->tip().timestamp);  // the anchor is block 1
  reseal(*e, kDeclarations);
  expectCode(*e, RejectReason::kTimeTooOld);
}

TEST_F(Validate, RegistrationOutsideDeclarerBounds) {
  // The genesis allows C in [1, 8].
  auto req = decodeOrDie(makeRequest(*employer, 2, 9, 5, "too many declarers"));
  auto tx = decodeOrDie(*makeRegistration(nodes[0], 0, 0, *req));
  auto e = edit(*round2.block);
  setTransactions(*e, {tx.get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kBadRequest);
}

// A registration whose request breaks one rule a stage would check, correctly signed by the
// employer and the sender, in an otherwise valid block (docs/protocol.md "Registering a
// request"): each is refused with its own code.
class RegistrationRules : public Validate {
 protected:
  void expectRefused(const std::function<void(schema::TrainingRequest::Body::Builder)>& change,
                     RejectReason code, const std::string& salt) {
    SCOPED_TRACE(salt);
    auto req = decodeOrDie(makeRequest(*employer, 2, 2, 5, salt, change));
    auto tx = decodeOrDie(*makeRegistration(nodes[0], 0, 0, *req));
    auto e = edit(*round2.block);
    setTransactions(*e, {tx.get()});
    reseal(*e, kCoinbase);
    expectCode(*e, code);
  }
  void expectAccepted(const std::function<void(schema::TrainingRequest::Body::Builder)>& change,
                      const std::string& salt) {
    SCOPED_TRACE(salt);
    auto req = decodeOrDie(makeRequest(*employer, 2, 2, 5, salt, change));
    auto tx = decodeOrDie(*makeRegistration(nodes[0], 0, 0, *req));
    auto e = edit(*round2.block);
    setTransactions(*e, {tx.get()});
    reseal(*e, kCoinbase);
    auto v = check(*e);
    EXPECT_TRUE(v.valid()) << v.message;
  }
  using Body = schema::TrainingRequest::Body::Builder;
};

TEST_F(RegistrationRules, TheFixturesRequestAndItsFreeChoicesAreAccepted) {
  expectAccepted(nullptr, "as made");
  // An MLP flattens: [1, 2, 2] has the 4 inputs of mlp:4-3-2.
  expectAccepted(
      [](Body b) {
        auto s = b.getArchitecture().initInputShape(3);
        s.set(0, 1), s.set(1, 2), s.set(2, 2);
      },
      "mlp flattens");
  expectAccepted(
      [](Body b) {
        auto a = b.getArchitecture();
        a.setBuiltin("cnn:lenet5");
        auto s = a.initInputShape(3);
        s.set(0, 1), s.set(1, 28), s.set(2, 28);
        a.setNumClasses(10);
      },
      "lenet5");
  expectAccepted(
      [](Body b) {
        auto a = b.getArchitecture();
        a.setTorchScript(dataOf(tagged("module")));
        auto s = a.initInputShape(2);
        s.set(0, 3), s.set(1, 5);
        a.setNumClasses(7);
        auto t = b.initInputTransform();
        t.setInputType(schema::DType::FLOAT32);
        t.initMean(3), t.initStd(3);
        for (unsigned i = 0; i < 3; ++i) t.getStd().set(i, 1.0f);
      },
      "torchscript with a transform");
  expectAccepted([](Body b) { b.initOptimizer().initAdam().setLearningRate(0.001); }, "adam");
}

TEST_F(RegistrationRules, NoStages) {
  expectRefused([](Body b) { b.initStageBatches(0); }, RejectReason::kBadRequestStages, "none");
  expectRefused(
      [](Body b) {
        const Bytes shortHash(31, 1);
        b.getStageBatches().set(1, kj::arrayPtr(shortHash.data(), shortHash.size()));
      },
      RejectReason::kBadRequestStages, "short hash");
}

TEST_F(RegistrationRules, UnknownOrInconsistentProfile) {
  expectRefused([](Body b) { b.getProfile().setName("fastest"); }, RejectReason::kBadRequestProfile,
                "unknown");
  // "portable" is reference BLAS: a request claiming OpenBLAS under that name
  // would be refused by every pot-train-stage.
  expectRefused([](Body b) { b.getProfile().setBlas("openblas"); },
                RejectReason::kBadRequestProfile, "blas");
  expectRefused([](Body b) { b.getProfile().setThreads(2); }, RejectReason::kBadRequestProfile,
                "threads");
}

TEST_F(RegistrationRules, MinibatchBelowTwo) {
  expectRefused([](Body b) { b.setMinibatchSize(1); }, RejectReason::kBadRequestMinibatch, "b=1");
  expectRefused([](Body b) { b.setMinibatchSize(0); }, RejectReason::kBadRequestMinibatch, "b=0");
}

TEST_F(RegistrationRules, UnknownLoss) {
  expectRefused([](Body b) { b.setLoss(static_cast<schema::Loss>(7)); },
                RejectReason::kBadRequestLoss, "loss 7");
}

TEST_F(RegistrationRules, BadOptimizer) {
  expectRefused([](Body b) { b.getOptimizer().getSgd().setLearningRate(0); },
                RejectReason::kBadRequestOptimizer, "lr 0");
  expectRefused([](Body b) { b.getOptimizer().getSgd().setMomentum(std::nan("")); },
                RejectReason::kBadRequestOptimizer, "momentum nan");
  expectRefused(
      [](Body b) {
        auto a = b.initOptimizer().initAdam();
        a.setLearningRate(0.001);
        a.setEps(HUGE_VAL);
      },
      RejectReason::kBadRequestOptimizer, "adam eps inf");
}

TEST_F(RegistrationRules, UnknownArchitecture) {
  expectRefused([](Body b) { b.getArchitecture().setBuiltin("resnet:50"); },
                RejectReason::kBadRequestArchitecture, "unknown spec");
  expectRefused([](Body b) { b.getArchitecture().setBuiltin("mlp:4"); },
                RejectReason::kBadRequestArchitecture, "one size");
  expectRefused([](Body b) { b.getArchitecture().setNumClasses(3); },
                RejectReason::kBadRequestArchitecture, "classes differ from the spec");
  expectRefused(
      [](Body b) {
        const Bytes shortHash(16, 2);
        b.getArchitecture().setTorchScript(kj::arrayPtr(shortHash.data(), shortHash.size()));
      },
      RejectReason::kBadRequestArchitecture, "short module hash");
  expectRefused(
      [](Body b) {
        b.getArchitecture().setTorchScript(dataOf(tagged("module")));
        b.getArchitecture().setNumClasses(0);
      },
      RejectReason::kBadRequestArchitecture, "module with no classes");
}

TEST_F(RegistrationRules, InputShapeThatDoesNotFit) {
  expectRefused([](Body b) { b.getArchitecture().initInputShape(1).set(0, 5); },
                RejectReason::kBadRequestInputShape, "mlp 5 for 4");
  expectRefused([](Body b) { b.getArchitecture().initInputShape(0); },
                RejectReason::kBadRequestInputShape, "mlp none");
  expectRefused(
      [](Body b) {
        auto a = b.getArchitecture();
        a.setBuiltin("cnn:lenet5");
        a.initInputShape(1).set(0, 784);  // as many values, but a convolution needs [1, 28, 28]
        a.setNumClasses(10);
      },
      RejectReason::kBadRequestInputShape, "lenet5 flat");
  expectRefused(
      [](Body b) {
        auto a = b.getArchitecture();
        a.setTorchScript(dataOf(tagged("module")));
        auto s = a.initInputShape(2);
        s.set(0, 1u << 20), s.set(1, 1u << 20);  // 2^40 values per sample
      },
      RejectReason::kBadRequestInputShape, "module too large");
}

TEST_F(RegistrationRules, InputTransformAStageWouldRefuse) {
  expectRefused(
      [](Body b) {
        auto t = b.initInputTransform();
        t.setInputType(schema::DType::FLOAT32);
        t.initMean(2), t.initStd(2);  // 2 channels for samples of shape [4]
        t.getStd().set(0, 1.0f), t.getStd().set(1, 1.0f);
      },
      RejectReason::kBadRequestInputTransform, "channels");
  expectRefused(
      [](Body b) {
        auto t = b.initInputTransform();
        t.setInputType(schema::DType::FLOAT32);
        t.initMean(4), t.initStd(4);  // a std of 0 divides by zero
      },
      RejectReason::kBadRequestInputTransform, "zero std");
  expectRefused(
      [](Body b) {
        auto n = b.initClassNames(3);  // 3 names for 2 classes
        n.set(0, "a"), n.set(1, "b"), n.set(2, "c");
      },
      RejectReason::kBadRequestInputTransform, "class names");
}

// A chain view that knows the blocks but has lost their states: our fault, not the block's.
class StatelessView : public ChainView {
 public:
  explicit StatelessView(const ChainView& inner) : inner_(inner) {}
  const Genesis& genesis() const override { return inner_.genesis(); }
  std::optional<BlockInfo> blockInfo(const Hash256& id) const override {
    return inner_.blockInfo(id);
  }
  const LedgerReader* stateAt(const Hash256&) const override { return nullptr; }
  BlockInfo tip() const override { return inner_.tip(); }

 private:
  const ChainView& inner_;
};

TEST_F(Validate, MissingParentStateIsAnErrorNotInvalid) {
  StatelessView view(*chain);
  auto v = validateBlock(view, *round2.block, round2.now);
  EXPECT_EQ(v.reason, RejectReason::kNoParentState);
  EXPECT_EQ(v.verdict, Verdict::kError);
  EXPECT_EQ(v.exitCode(), ExitCode::kIo);
}

TEST_F(Validate, DoubleSpend) {
  // Two transfers from node 0 with consecutive nonces: each fits its balance alone.
  const uint64_t balance = parentState().account(nodes[0].publicKey())->balance;
  auto t1 = decodeOrDie(makeTransfer(nodes[0], 0, 0, employer->publicKey(), balance * 6 / 10));
  auto t2 = decodeOrDie(makeTransfer(nodes[0], 1, 0, nodes[3].publicKey(), balance * 6 / 10));
  auto e = edit(*round2.block);
  setTransactions(*e, {t1.get(), t2.get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kDoubleSpend);
}

TEST_F(Validate, InsufficientBalance) {
  const uint64_t balance = parentState().account(nodes[0].publicKey())->balance;
  auto t1 = decodeOrDie(makeTransfer(nodes[0], 0, 1, employer->publicKey(), balance));
  auto e = edit(*round2.block);
  setTransactions(*e, {t1.get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kInsufficientBalance);
}

TEST_F(Validate, BadNonce) {
  auto t1 = decodeOrDie(makeTransfer(nodes[0], 1, 1, employer->publicKey(), kCoin));
  auto e = edit(*round2.block);
  setTransactions(*e, {t1.get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kBadNonce);
}

TEST_F(Validate, TransferToAShortAddress) {
  // A signed transfer whose recipient is 31 bytes: nothing could ever spend
  // it, so the block is invalid rather than burning the coins.
  capnp::MallocMessageBuilder mb;
  auto tx = mb.initRoot<schema::Envelope>().initTransaction();
  auto b = tx.initBody();
  b.setSender(dataOf(nodes[0].publicKey()));
  b.setNonce(0);
  auto t = b.initTransfer();
  t.setTo(kj::arrayPtr(employer->publicKey().data(), 31));
  t.setAmount(kCoin);
  auto sig = signBody(nodes[0], Domain::kTx, b.asReader());
  tx.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  auto t1 = decodeOrDie(encodeMessage(mb.getRoot<schema::Envelope>().asReader()));
  auto e = edit(*round2.block);
  setTransactions(*e, {t1.get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kBadTx);
}

TEST_F(Validate, TooManyTransactions) {
  // Refused by count before any of them is verified or applied.
  auto e = edit(*round2.block);
  std::vector<const Message*> many(kMaxTransactionsPerBlock + 1, txs2[0].get());
  setTransactions(*e, many);
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kTooManyTransactions);
}

TEST_F(Validate, SameTransactionTwice) {
  auto e = edit(*round2.block);
  setTransactions(*e, {txs2[0].get(), txs2[0].get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kDuplicateTx);
}

TEST_F(Validate, WrongCoinbase) {
  auto e = edit(*round2.block);
  auto cb = e->block().getBody().getCoinbase();
  cb[0].setAmount(cb[0].getAmount() + 1);
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kBadCoinbase);
}

TEST_F(Validate, WrongRewardSplit) {
  // The right total, split differently: builder 1 unit less, wrapper 1 more.
  auto e = edit(*round2.block);
  auto cb = e->block().getBody().getCoinbase();
  ASSERT_EQ(cb[0].getKind(), schema::PayoutKind::HEADER_BUILDER);
  ASSERT_EQ(cb[1].getKind(), schema::PayoutKind::WRAPPER);
  cb[0].setAmount(cb[0].getAmount() - 1);
  cb[1].setAmount(cb[1].getAmount() + 1);
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kBadCoinbase);
}

TEST_F(Validate, MissingStageFee) {
  auto e = edit(*round2.block);
  auto body = e->block().getBody();
  capnp::MallocMessageBuilder keep;
  auto old = keep.initRoot<schema::Block::Body>();
  old.setCoinbase(body.getCoinbase().asReader());
  std::vector<size_t> kept;
  for (size_t i = 0; i < old.getCoinbase().size(); ++i)
    if (old.getCoinbase()[i].getKind() != schema::PayoutKind::STAGE_FEE) kept.push_back(i);
  ASSERT_LT(kept.size(), old.getCoinbase().size());
  auto list = body.initCoinbase(kept.size());
  for (size_t i = 0; i < kept.size(); ++i)
    list.setWithCaveats(i, old.getCoinbase()[kept[i]].asReader());
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kBadCoinbase);
}

TEST_F(Validate, EscrowPaysWithoutStage) {
  // A transfer "from" the model's escrow: it has no key, so only stages pay from it.
  capnp::MallocMessageBuilder mb;
  auto tx = mb.initRoot<schema::Envelope>().initTransaction();
  auto b = tx.initBody();
  b.setSender(dataOf(escrowAddress(modelId)));
  b.setNonce(0);
  b.initTransfer().setTo(dataOf(nodes[0].publicKey()));
  b.getTransfer().setAmount(kCoin);
  tx.initSignature(64);
  auto m = decodeOrDie(encodeMessage(mb.getRoot<schema::Envelope>().asReader()));
  auto e = edit(*round2.block);
  setTransactions(*e, {m.get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kEscrowWithoutStage);
}

TEST_F(Validate, RegistrationWithBadRequestSignature) {
  capnp::MallocMessageBuilder copy;
  copy.setRoot(decodeOrDie(makeRequest(*employer, 2, 2, 5, "other"))->envelope());
  copy.getRoot<schema::Envelope>().getTrainingRequest().getSignature()[0] ^= 1;
  auto req = decodeOrDie(encodeMessage(copy.getRoot<schema::Envelope>().asReader()));
  auto tx = decodeOrDie(*makeRegistration(nodes[0], 0, 0, *req));
  auto e = edit(*round2.block);
  setTransactions(*e, {tx.get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kBadRequestSig);
}

TEST_F(Validate, RegisteringAModelTwice) {
  auto tx = decodeOrDie(*makeRegistration(nodes[0], 0, 0, *decodeOrDie(requestBytes)));
  auto e = edit(*round2.block);
  setTransactions(*e, {tx.get()});
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kDuplicateModel);
}

TEST_F(Validate, DeclarationsNotInHeaderOrder) {
  auto e = edit(*round2.block);
  auto tds = e->block().getBody().getDeclarations();
  capnp::MallocMessageBuilder a, b;
  a.setRoot(tds[0].asReader());
  b.setRoot(tds[1].asReader());
  tds.setWithCaveats(0, b.getRoot<TrainingDeclaration>().asReader());
  tds.setWithCaveats(1, a.getRoot<TrainingDeclaration>().asReader());
  reseal(*e, kCoinbase);
  expectCode(*e, RejectReason::kDeclarationMismatch);
}

TEST_F(Validate, StakeAboveBalance) {
  auto e = edit(*round2.block);
  auto cs = e->header().getCoinstake();
  cs.setAmount(parentState().account(hashFrom(cs.getStaker()))->balance + 1);
  reseal(*e, kHeader);
  expectCode(*e, RejectReason::kBadCoinstake);
}

TEST_F(Validate, UnknownModel) {
  auto e = edit(*round2.block);
  e->header().setModelId(dataOf(tagged("no such model")));
  reseal(*e, kHeader, kCoinbase);  // no model, no stage fee to recompute
  expectCode(*e, RejectReason::kUnknownModel);
}

TEST_F(Validate, ShortField) {
  auto e = edit(*round2.block);
  e->header().initRho(31);
  reseal(*e, kBlockSig);
  expectCode(*e, RejectReason::kBadFieldSize);
}

TEST_F(Validate, NonCanonicalEncoding) {
  // A well-framed block with one spare word after its content: decodable, not canonical.
  Bytes bytes = round2.block->bytes();
  bytes.insert(bytes.end(), 8, 0);
  uint32_t words = static_cast<uint32_t>((bytes.size() - 8) / 8);
  for (int i = 0; i < 4; ++i) bytes[4 + i] = static_cast<uint8_t>(words >> (8 * i));
  auto v = validateBlockBytes(*chain, bytes, round2.now);
  EXPECT_EQ(v.reason, RejectReason::kNonCanonical) << v.message;
  EXPECT_EQ(v.exitCode(), ExitCode::kMalformed);
}

// The other two ways to be decodable but not canonical are named so too,
// as docs/protocol.md says: bits outside any field (schema-strict form), and
// a tag word bit readers ignore (not the canonical byte form).
TEST_F(Validate, StrayBitsAndIgnoredTagBitsAreNonCanonical) {
  Bytes padded = round2.block->bytes();
  // The Envelope's data word: the union discriminant uses 16 bits of it.
  padded[8 + 8 + 4] ^= 0x01;
  auto v = validateBlockBytes(*chain, padded, round2.now);
  EXPECT_EQ(v.reason, RejectReason::kNonCanonical) << v.message;
  EXPECT_EQ(v.exitCode(), ExitCode::kMalformed);

  // The top bit of the first inline-composite tag's element count.
  Bytes tagged = round2.block->bytes();
  bool flipped = false;
  for (size_t at = 8; at + 8 <= tagged.size() && !flipped; at += 8) {
    Bytes edited = tagged;
    edited[at + 3] ^= 0x80;
    auto e = validateBlockBytes(*chain, edited, round2.now);
    if (e.reason == RejectReason::kNonCanonical &&
        e.message.find("not the canonical byte form") != std::string::npos)
      flipped = true;
    // Whatever word it hits, a flipped bit is never a valid block.
    ASSERT_FALSE(e.valid()) << "word at " << at;
  }
  EXPECT_TRUE(flipped) << "no tag word found whose ignored bit is caught as non-canonical";
}

TEST_F(Validate, NotABlock) {
  auto v = validateBlock(*chain, *round2.header, round2.now);
  EXPECT_EQ(v.reason, RejectReason::kNotABlock);
  EXPECT_EQ(v.exitCode(), ExitCode::kMalformed);
}

TEST_F(Validate, PoisonedDeclarationIsRejected) {
  // A node that trained on a batch with changed labels gets another rho and
  // another S_{i+1}: its declaration is refused against the honest header.
  DeclarationFields f;
  f.modelId = modelId;
  f.stage = 1;
  f.stateHash = tagged("state trained on poisoned labels");
  f.rho = tagged("rho of the poisoned run");
  f.rand = tagged("rand");
  f.anchor = chain->tip().id;
  f.stakeAmount = parentState().account(nodes[3].publicKey())->balance;
  // The state hash is checked before PoS, so any time after the anchor will do.
  f.timestamp =
      round2.declarations[0]->envelope().getTrainingDeclaration().getBody().getTimestamp();
  auto poisoned = decodeOrDie(signDeclaration(nodes[3], f));

  // The builder leaves it out, naming why, and needs C honest ones.
  BuildHeaderOptions ho;
  ho.rho = rhoFor(modelId, 1);
  ho.stateHash = stateFor(modelId, 1);
  auto built = buildHeader(*chain, nodes[0], {poisoned.get(), round2.declarations[0].get()}, ho,
                           fixedClock(round2.now));
  ASSERT_FALSE(built);
  EXPECT_NE(built.status().message().find("state-hash-mismatch"), std::string::npos)
      << built.status().message();

  // A header that includes it anyway makes the block invalid.
  auto e = edit(*round2.block);
  e->block().getBody().getDeclarations().setWithCaveats(
      1, poisoned->envelope().getTrainingDeclaration());
  reseal(*e, kHeader);
  expectCode(*e, RejectReason::kStateHashMismatch);
}

TEST_F(Validate, JsonVerdict) {
  auto e = edit(*round2.block);
  e->block().getSignature()[9] ^= 1;
  auto v = check(*e);
  EXPECT_EQ(v.toJson().rfind("{\"valid\": false, \"code\": \"bad-block-sig\", \"message\": ", 0),
            0u)
      << v.toJson();
  EXPECT_NE(validateBlock(*chain, *round2.block, round2.now).toJson().find("\"valid\": true"),
            std::string::npos);
}

}  // namespace
}  // namespace pot::testing

namespace pot::testing {
namespace {

TEST_F(Validate, FlippedBitsNeverCrashOrSneakThrough) {
  // An accepted variant must be the same block: same signed body and
  // signature. Only bits outside both (the envelope's unused data bits, which
  // canonical form keeps) may differ, and they change neither id nor state.
  const Bytes original = round2.block->bytes();
  const auto block = round2.block->envelope().getBlock();
  const Hash256 id = blockIdOf(block);
  const Bytes signature(block.getSignature().begin(), block.getSignature().end());
  std::mt19937 rng(7);
  int rejected = 0;
  for (int i = 0; i < 1500; ++i) {
    Bytes copy = original;
    const size_t bit = rng() % (copy.size() * 8);
    copy[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto v = validateBlockBytes(*chain, copy, round2.now);
    if (!v.valid()) {
      ++rejected;
      EXPECT_NE(v.reason, RejectReason::kNone);
      continue;
    }
    auto m = decodeMessage(copy);
    ASSERT_TRUE(m);
    auto b = (*m)->envelope().getBlock();
    EXPECT_EQ(blockIdOf(b), id) << "bit " << bit;
    EXPECT_EQ(Bytes(b.getSignature().begin(), b.getSignature().end()), signature) << "bit " << bit;
  }
  EXPECT_GT(rejected, 1350);
}

}  // namespace
}  // namespace pot::testing

namespace pot::testing {
namespace {

// K = 1: no stakeholder signatures; the one stakeholder wraps the block.
class SingleStakeholder : public ConsensusFixture {
  void tune(ChainParams& p) override { p.stakeholders = 1; }
};

TEST_F(SingleStakeholder, WrapperAloneMakesAValidBlock) {
  auto b = round2.block->envelope().getBlock().getBody();
  EXPECT_EQ(b.getStakeholderSignatures().size(), 0u);
  auto v = validateBlock(*chain, *round2.block, round2.now);
  EXPECT_TRUE(v.valid()) << rejectName(v.reason) << ": " << v.message;
  // No signers: the stakeholders' share goes to the header builder.
  const uint64_t reward = blockReward(chain->params(), 2);
  ASSERT_GE(b.getCoinbase().size(), 2u);
  EXPECT_EQ(b.getCoinbase()[0].getAmount(), reward - reward * 2000 / 10000);
  EXPECT_EQ(b.getCoinbase()[1].getAmount(), reward * 2000 / 10000);
}

}  // namespace
}  // namespace pot::testing
