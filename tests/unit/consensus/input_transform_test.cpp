// The request's input transform and class names (DESIGN 4.6): what is written, what is read
// back, what is refused, and that a request with nothing to say keeps its bytes.
#include "libcommon/consensus/input_transform.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include "libcommon/core/canonical.h"

namespace {

using Body = pot::schema::TrainingRequest::Body;

pot::Bytes bodyBytes(capnp::MallocMessageBuilder& b) {
  return pot::canonicalBytes(b.getRoot<Body>().asReader());
}

TEST(InputTransform, NothingToSayLeavesTheBodyAsItWas) {
  capnp::MallocMessageBuilder before, after;
  before.initRoot<Body>().setSeed(5);
  auto body = after.initRoot<Body>();
  body.setSeed(5);
  pot::InputTransform t;  // uint8, no mean, numeric labels
  pot::writeInputTransform(t, body);
  EXPECT_FALSE(body.hasInputTransform());
  EXPECT_FALSE(body.hasClassNames());
  EXPECT_EQ(bodyBytes(before), bodyBytes(after));
  auto back = pot::readInputTransform(body.asReader());
  ASSERT_TRUE(back);
  EXPECT_FALSE(back->recorded);
  EXPECT_TRUE(back->isUint8);
}

TEST(InputTransform, RoundTrips) {
  capnp::MallocMessageBuilder b;
  auto body = b.initRoot<Body>();
  pot::InputTransform t;
  t.isUint8 = false;
  t.mean = {0.5f, 1.5f};
  t.std = {2.f, 0.25f};
  t.classNames = {"cat", "dog"};
  pot::writeInputTransform(t, body);
  auto back = pot::readInputTransform(body.asReader());
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_TRUE(back->recorded);
  EXPECT_FALSE(back->isUint8);
  EXPECT_EQ(back->mean, t.mean);
  EXPECT_EQ(back->std, t.std);
  EXPECT_EQ(back->classNames, t.classNames);
  EXPECT_TRUE(pot::checkInputTransform(*back, {2, 5}, false));
  EXPECT_EQ(pot::checkInputTransform(*back, {3, 5}, false).code(), pot::ExitCode::kInvalid);
  EXPECT_EQ(pot::checkInputTransform(*back, {2, 5}, true).code(), pot::ExitCode::kInvalid);
}

TEST(InputTransform, RefusesSecondByteFormsAndBadValues) {
  {
    capnp::MallocMessageBuilder b;
    b.initRoot<Body>().initClassNames(0);
    EXPECT_EQ(pot::readInputTransform(b.getRoot<Body>().asReader()).status().code(),
              pot::ExitCode::kMalformed);
  }
  {
    capnp::MallocMessageBuilder b;
    auto names = b.initRoot<Body>().initClassNames(2);
    names.set(0, "a");
    names.set(1, "a");
    EXPECT_EQ(pot::readInputTransform(b.getRoot<Body>().asReader()).status().code(),
              pot::ExitCode::kMalformed);
  }
  {
    capnp::MallocMessageBuilder b;
    auto it = b.initRoot<Body>().initInputTransform();
    it.setInputType(pot::schema::DType::UINT8);
    it.initMean(1).set(0, 0.5f);
    it.initStd(1).set(0, 0.f);
    EXPECT_EQ(pot::readInputTransform(b.getRoot<Body>().asReader()).status().code(),
              pot::ExitCode::kMalformed);
  }
  {
    capnp::MallocMessageBuilder b;
    b.initRoot<Body>().initInputTransform().setInputType(pot::schema::DType::INT64);
    EXPECT_EQ(pot::readInputTransform(b.getRoot<Body>().asReader()).status().code(),
              pot::ExitCode::kMalformed);
  }
}

}  // namespace
