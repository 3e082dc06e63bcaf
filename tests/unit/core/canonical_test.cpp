// Canonical encoding: construction order does not matter; IDs are stable.
#include "libcommon/core/canonical.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include "libcommon/core/message_io.h"
#include "schemas/pot.capnp.h"

namespace {

using pot::schema::Envelope;
using pot::schema::TrainingDeclaration;

void fillInOrder(TrainingDeclaration::Body::Builder b, bool reverse) {
  // Same content, pointer fields allocated in opposite orders: the raw
  // segments differ, the canonical form must not.
  pot::Bytes model(32, 7), state(32, 9);
  if (!reverse) {
    b.setModelId(kj::arrayPtr(model.data(), model.size()));
    b.setStateHash(kj::arrayPtr(state.data(), state.size()));
  } else {
    b.setStateHash(kj::arrayPtr(state.data(), state.size()));
    b.setModelId(kj::arrayPtr(model.data(), model.size()));
  }
  b.setStage(3);
  b.setTimestamp(1700000000);
  b.getCoinstake().setAmount(5);
}

TEST(Canonical, SameMessageTwoWaysSameBytesAndId) {
  capnp::MallocMessageBuilder m1, m2;
  auto b1 = m1.initRoot<TrainingDeclaration::Body>();
  auto b2 = m2.initRoot<TrainingDeclaration::Body>();
  fillInOrder(b1, false);
  fillInOrder(b2, true);
  EXPECT_NE(m1.getSegmentsForOutput()[0].asBytes(), m2.getSegmentsForOutput()[0].asBytes());
  EXPECT_EQ(pot::canonicalBytes(b1.asReader()), pot::canonicalBytes(b2.asReader()));
  EXPECT_EQ(pot::messageId(pot::Domain::kDeclaration, b1.asReader()),
            pot::messageId(pot::Domain::kDeclaration, b2.asReader()));
}

TEST(Canonical, DomainTagSeparatesIds) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<TrainingDeclaration::Body>();
  fillInOrder(b, false);
  EXPECT_NE(pot::messageId(pot::Domain::kDeclaration, b.asReader()),
            pot::messageId(pot::Domain::kHeader, b.asReader()));
  auto payload = pot::signingPayload(pot::Domain::kDeclaration, b.asReader());
  std::string prefix(payload.begin(), payload.begin() + 9);
  EXPECT_EQ(prefix, "pot/v1/td");
}

TEST(Canonical, SignVerifyBody) {
  auto key = pot::SigningKey::generate();
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<TrainingDeclaration::Body>();
  fillInOrder(b, false);
  auto sig = pot::signBody(*key, pot::Domain::kDeclaration, b.asReader());
  EXPECT_TRUE(pot::verifyBody(key->publicKey(), pot::Domain::kDeclaration, b.asReader(), sig.data(),
                              sig.size()));
  // A signature under one domain does not verify under another.
  EXPECT_FALSE(pot::verifyBody(key->publicKey(), pot::Domain::kHeader, b.asReader(), sig.data(),
                               sig.size()));
  b.setStage(4);
  EXPECT_FALSE(pot::verifyBody(key->publicKey(), pot::Domain::kDeclaration, b.asReader(),
                               sig.data(), sig.size()));
}

TEST(Canonical, NonCanonicalEncodingIsRejected) {
  // Build an envelope whose segment is not canonical: allocate a field,
  // then replace it so a gap of garbage words is left behind.
  capnp::MallocMessageBuilder m;
  auto env = m.initRoot<Envelope>();
  auto batch = env.initStageBatch();
  batch.initLabels(100);
  batch.initLabels(2).set(0, 1);
  auto seg = m.getSegmentsForOutput();
  ASSERT_EQ(seg.size(), 1u);
  pot::Bytes framed(8, 0);
  uint32_t words = static_cast<uint32_t>(seg[0].size());
  for (int i = 0; i < 4; ++i) framed[4 + i] = static_cast<uint8_t>(words >> (8 * i));
  auto bytes = seg[0].asBytes();
  framed.insert(framed.end(), bytes.begin(), bytes.end());
  auto r = pot::decodeMessage(framed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  EXPECT_NE(r.status().message().find("non-canonical"), std::string::npos);
  // The canonical encoding of the same content is accepted.
  auto good = pot::decodeMessage(pot::encodeMessage(env.asReader()));
  ASSERT_TRUE(good) << good.status().message();
  EXPECT_EQ((*good)->envelope().getStageBatch().getLabels()[0], 1u);
}

}  // namespace
