// The stage function in-process: determinism, rho over the recomputed losses, and every check
// runStage makes.
#include "libcommon/train/train.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <cstring>

#include "libcommon/consensus/architecture.h"
#include "libcommon/train/stage_audit.h"
#include "libcommon/train/train_selfcheck.h"
#include "libcommon/train/training_secret.h"

namespace {

using pot::schema::Envelope;

pot::MessagePtr take(pot::Result<pot::MessagePtr> r) {
  EXPECT_TRUE(r) << r.status().message();
  return std::move(r).value();
}

// A tiny stage built in memory: mlp:16-8-3, b = 4, 8 samples.
struct Fixture {
  pot::MessagePtr request, state, batch;
};

Fixture makeStage(uint32_t minibatch = 4, uint32_t samples = 8, uint8_t poison = 0) {
  Fixture f;
  capnp::MallocMessageBuilder bb;
  auto sb = bb.initRoot<Envelope>().initStageBatch();
  sb.setStage(1);
  sb.initSampleShape(1).set(0, 16);
  sb.setInputType(pot::schema::DType::UINT8);
  auto in = sb.initInputs(16 * samples);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 37 + 11);
  in[20] = static_cast<uint8_t>(in[20] + poison);
  auto labels = sb.initLabels(samples);
  for (uint32_t i = 0; i < samples; ++i) labels.set(i, i % 3);
  f.batch = take(pot::decodeMessage(pot::encodeMessage(bb.getRoot<Envelope>().asReader())));
  pot::InitialStateSpec init;
  init.architecture = "mlp:16-8-3";
  init.optimizer = "sgd";
  init.momentumBuffers = true;
  init.seed = 5;
  auto s0 = pot::makeInitialState(init);
  EXPECT_TRUE(s0) << s0.status().message();
  f.state = take(pot::decodeMessage(std::move(s0).value()));
  capnp::MallocMessageBuilder rb;
  auto body = rb.initRoot<Envelope>().initTrainingRequest().initBody();
  auto a = body.initArchitecture();
  a.setBuiltin("mlp:16-8-3");
  a.initInputShape(1).set(0, 16);
  a.setNumClasses(3);
  auto sgd = body.initOptimizer().initSgd();
  sgd.setLearningRate(0.1);
  sgd.setMomentum(0.9);
  body.setMinibatchSize(minibatch);
  body.setSeed(5);
  pot::Hash256 h = f.batch->fileHash();
  body.initStageBatches(1).set(0, kj::arrayPtr(h.data(), 32));
  pot::Hash256 s0h = f.state->fileHash();
  body.setInitialState(kj::arrayPtr(s0h.data(), 32));
  f.request = take(pot::decodeMessage(pot::encodeMessage(rb.getRoot<Envelope>().asReader())));
  return f;
}

TEST(RunStage, DeterministicAndChangesWithOnePixel) {
  auto f = makeStage();
  auto a = pot::runStage(*f.request, *f.state, *f.batch, 1);
  ASSERT_TRUE(a) << a.status().message();
  auto g = makeStage();
  auto b = pot::runStage(*g.request, *g.state, *g.batch, 1);
  ASSERT_TRUE(b);
  EXPECT_EQ(a->rho, b->rho);
  EXPECT_EQ(a->stateHash, b->stateHash);
  EXPECT_EQ(a->nextState, b->nextState);
  EXPECT_EQ(a->stateHash, pot::sha256(a->nextState));
  ASSERT_EQ(a->losses.size(), 8u);
  EXPECT_EQ(a->rho, pot::trainingSecret(a->losses));
  // S_1 decodes as a model state at stage 1 after 2 optimizer steps.
  auto s1 = pot::decodeMessage(a->nextState);
  ASSERT_TRUE(s1);
  auto ms = (*s1)->envelope().getModelState();
  EXPECT_EQ(ms.getStage(), 1u);
  EXPECT_EQ(ms.getStep(), 2u);
  EXPECT_EQ(ms.getParameters().size(), 4u);
  EXPECT_EQ(ms.getOptimizerState().size(), 4u);
  EXPECT_EQ(std::string(ms.getOptimizerState()[0].getName().cStr()), "momentum_buffer.0.weight");

  auto p = makeStage(4, 8, 1);  // pixel 20 belongs to sample 1
  auto c = pot::runStage(*p.request, *p.state, *p.batch, 1);
  ASSERT_TRUE(c);
  EXPECT_NE(c->rho, a->rho);
  EXPECT_NE(c->stateHash, a->stateHash);
  EXPECT_EQ(pot::firstDivergingSample(a->losses, c->losses), 1u);
}

TEST(RunStage, RefusesInputsThatBreakTheRequest) {
  auto f = makeStage();
  auto other = makeStage(4, 8, 1);
  // Batch not in the request.
  auto r = pot::runStage(*f.request, *f.state, *other.batch, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kInvalid);
  EXPECT_NE(r.status().message().find("is not B_1"), std::string::npos);
  // Stage out of range.
  r = pot::runStage(*f.request, *f.state, *f.batch, 2);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kInvalid);
  // Wrong kinds.
  r = pot::runStage(*f.request, *f.batch, *f.batch, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  // Samples not a multiple of b.
  auto odd = makeStage(3, 8);
  r = pot::runStage(*odd.request, *odd.state, *odd.batch, 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("not a multiple of the minibatch size 3"), std::string::npos);
  // S_1 is not S_0.
  auto ok = pot::runStage(*f.request, *f.state, *f.batch, 1);
  ASSERT_TRUE(ok);
  auto s1 = pot::decodeMessage(ok->nextState);
  r = pot::runStage(*f.request, **s1, *f.batch, 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("state file is S_1"), std::string::npos);
  // A state of another architecture.
  pot::InitialStateSpec init;
  init.architecture = "mlp:16-4-3";
  init.optimizer = "sgd";
  init.momentumBuffers = true;
  auto s = pot::decodeMessage(*pot::makeInitialState(init));
  r = pot::runStage(*f.request, **s, *f.batch, 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kInvalid);
}

TEST(InitialState, DeterministicFromSeedWithZeroBuffersWithinBounds) {
  pot::InitialStateSpec init;
  init.architecture = "cnn:lenet5";
  init.optimizer = "adam";
  init.seed = 1;
  auto a = pot::makeInitialState(init);
  auto b = pot::makeInitialState(init);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, *b);
  init.seed = 2;
  EXPECT_NE(*a, *pot::makeInitialState(init));
  auto m = pot::decodeMessage(*a);
  ASSERT_TRUE(m);
  auto ms = (*m)->envelope().getModelState();
  EXPECT_EQ(ms.getParameters().size(), 10u);
  EXPECT_EQ(ms.getOptimizerState().size(), 20u);
  auto w = ms.getParameters()[0];  // conv1.weight: fan-in 25, bound 0.2
  EXPECT_EQ(std::string(w.getName().cStr()), "conv1.weight");
  const float* p = reinterpret_cast<const float*>(w.getData().begin());
  float mx = 0;
  for (size_t i = 0; i < 150; ++i) mx = std::max(mx, std::abs(p[i]));
  EXPECT_LE(mx, 0.2f);
  EXPECT_GT(mx, 0.15f);
  auto buf = ms.getOptimizerState()[1];
  for (auto byte : buf.getData()) ASSERT_EQ(byte, 0);
}

TEST(Selfcheck, CasesAreDeterministicInProcess) {
  auto a = pot::runSelfcheckCases();
  ASSERT_TRUE(a) << a.status().message();
  auto b = pot::runSelfcheckCases();
  ASSERT_TRUE(b);
  ASSERT_EQ(a->size(), 3u);
  for (size_t i = 0; i < a->size(); ++i) {
    EXPECT_EQ((*a)[i].rho, (*b)[i].rho) << (*a)[i].name;
    EXPECT_EQ((*a)[i].stateHash, (*b)[i].stateHash) << (*a)[i].name;
  }
}

}  // namespace
