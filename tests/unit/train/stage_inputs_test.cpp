// The checks a stage's inputs pass before training, without libtorch: each refusal, its exit
// code and the order in which they are made.
#include "libcommon/train/stage_inputs.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

namespace {

using pot::schema::Envelope;

pot::MessagePtr encode(capnp::MallocMessageBuilder& b) {
  auto m = pot::decodeMessage(pot::encodeMessage(b.getRoot<Envelope>().asReader()));
  EXPECT_TRUE(m) << m.status().message();
  return std::move(m).value();
}

pot::MessagePtr makeBatch(uint32_t stage, uint32_t samples, uint32_t label = 0) {
  capnp::MallocMessageBuilder b;
  auto sb = b.initRoot<Envelope>().initStageBatch();
  sb.setStage(stage);
  sb.initSampleShape(1).set(0, 4);
  sb.setInputType(pot::schema::DType::UINT8);
  sb.initInputs(4 * samples);
  auto labels = sb.initLabels(samples);
  for (uint32_t i = 0; i < samples; ++i) labels.set(i, i % 3);
  if (samples > 0) labels.set(samples - 1, label);
  return encode(b);
}

pot::MessagePtr makeState(uint32_t stage) {
  capnp::MallocMessageBuilder b;
  auto ms = b.initRoot<Envelope>().initModelState();
  ms.setArchitecture("mlp:4-3");
  ms.setOptimizer("sgd");
  ms.setStage(stage);
  return encode(b);
}

pot::MessagePtr makeRequest(const pot::Message& batch, const pot::Message& s0, uint32_t b = 2) {
  capnp::MallocMessageBuilder rb;
  auto body = rb.initRoot<Envelope>().initTrainingRequest().initBody();
  auto a = body.initArchitecture();
  a.setBuiltin("mlp:4-3");
  a.initInputShape(1).set(0, 4);
  a.setNumClasses(3);
  auto sgd = body.initOptimizer().initSgd();
  sgd.setLearningRate(0.1);
  sgd.setMomentum(0.9);
  body.setMinibatchSize(b);
  body.setSeed(5);
  pot::Hash256 h = batch.fileHash();
  body.initStageBatches(1).set(0, kj::arrayPtr(h.data(), 32));
  pot::Hash256 s = s0.fileHash();
  body.setInitialState(kj::arrayPtr(s.data(), 32));
  return encode(rb);
}

TEST(StageInputs, RequestChecksAndWhatTheyRead) {
  auto batch = makeBatch(1, 4);
  auto s0 = makeState(0);
  auto request = makeRequest(*batch, *s0);
  auto plan = pot::checkStageRequest(*request, *s0, *batch, 1);
  ASSERT_TRUE(plan) << plan.status().message();
  EXPECT_EQ(plan->architecture, "mlp:4-3");
  EXPECT_EQ(plan->optimizer, "sgd");
  EXPECT_TRUE(plan->momentumBuffers);
  EXPECT_EQ(plan->settings.momentum, 0.9);
  EXPECT_EQ(plan->minibatch, 2u);
  // Kinds first: a batch given as the state is malformed.
  auto r = pot::checkStageRequest(*request, *batch, *batch, 1);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  r = pot::checkStageRequest(*request, *s0, *batch, 0);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kInvalid);
  // Past the last batch the batches cycle (DESIGN 5.8): stage 2 of 1 is B_1 again.
  EXPECT_TRUE(pot::checkStageRequest(*request, *s0, *batch, 2));
  auto other = makeBatch(1, 6);
  r = pot::checkStageRequest(*request, *s0, *other, 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("is not B_1 of the request"), std::string::npos);
  auto one = makeRequest(*batch, *s0, 1);
  r = pot::checkStageRequest(*one, *s0, *batch, 1);
  EXPECT_EQ(r.status().message(), "the request's minibatch size is 1 (must be >= 2)");
}

TEST(StageInputs, StateIsTheStagesPredecessorAndStageOneIsS0) {
  auto batch = makeBatch(1, 4);
  auto s0 = makeState(0);
  auto request = makeRequest(*batch, *s0);
  EXPECT_TRUE(pot::checkStageState(*s0, 1).isOk());
  EXPECT_EQ(pot::checkStageState(*s0, 3).message(), "the state file is S_0, stage 3 needs S_2");
  EXPECT_TRUE(pot::checkInitialState(*request, *s0, 1).isOk());
  auto s1 = makeState(1);
  EXPECT_TRUE(pot::checkInitialState(*request, *s1, 2).isOk());  // the chain checks S_1
  capnp::MallocMessageBuilder b;
  auto ms = b.initRoot<Envelope>().initModelState();
  ms.setArchitecture("mlp:4-3");
  ms.setOptimizer("adam");
  auto adamS0 = encode(b);
  auto s = pot::checkInitialState(*request, *adamS0, 1);
  EXPECT_EQ(s.code(), pot::ExitCode::kInvalid);
  EXPECT_NE(s.message().find("is not the request's S_0"), std::string::npos);
}

TEST(StageInputs, BatchSamplesAgreeWithTheArchitectureAndMinibatch) {
  auto s0 = makeState(0);
  auto batch = makeBatch(1, 4);
  auto request = makeRequest(*batch, *s0);
  auto samples = pot::checkStageBatch(*request, *batch, 1);
  ASSERT_TRUE(samples) << samples.status().message();
  EXPECT_EQ(samples->count, 4u);
  EXPECT_EQ(samples->sampleShape, std::vector<int64_t>{4});
  EXPECT_EQ(samples->labels, (std::vector<int64_t>{0, 1, 2, 0}));
  EXPECT_EQ(samples->inputs.size(), 16u);
  // Beyond t the batches cycle (DESIGN 5.8): with t = 1, stage 2 trains B_1 again.
  EXPECT_TRUE(pot::checkStageBatch(*request, *batch, 2));
  auto second = makeBatch(2, 4);
  EXPECT_EQ(pot::checkStageBatch(*request, *second, 1).status().message(),
            "the batch is for stage 2, not stage 1");
  auto odd = makeBatch(1, 3);
  auto oddRequest = makeRequest(*odd, *s0);
  EXPECT_EQ(pot::checkStageBatch(*oddRequest, *odd, 1).status().message(),
            "the batch's 3 samples are not a multiple of the minibatch size 2");
  auto badLabel = makeBatch(1, 4, 7);
  auto badLabelRequest = makeRequest(*badLabel, *s0);
  EXPECT_EQ(pot::checkStageBatch(*badLabelRequest, *badLabel, 1).status().message(),
            "label 7 is out of range for 3 classes");
}

}  // namespace
