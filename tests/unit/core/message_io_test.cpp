// Message files: round trip, and every kind of damaged input is refused.
#include "libcommon/core/message_io.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "libcommon/core/json.h"

namespace {

pot::Bytes sampleMessage() {
  capnp::MallocMessageBuilder m;
  auto env = m.initRoot<pot::schema::Envelope>();
  auto trace = env.initLossTrace();
  trace.setStage(2);
  auto losses = trace.initLosses(3);
  losses.set(0, 0.5f);
  losses.set(1, 1.5f);
  losses.set(2, 2.5f);
  return pot::encodeMessage(env.asReader());
}

TEST(MessageIo, RoundTrip) {
  auto bytes = sampleMessage();
  auto m = pot::decodeMessage(bytes);
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_EQ((*m)->kind(), pot::schema::Envelope::LOSS_TRACE);
  EXPECT_EQ((*m)->envelope().getLossTrace().getLosses()[2], 2.5f);
  EXPECT_EQ(pot::encodeMessage((*m)->envelope()), bytes);
}

TEST(MessageIo, EveryTruncationIsMalformed) {
  auto bytes = sampleMessage();
  for (size_t n = 0; n < bytes.size(); ++n) {
    pot::Bytes cut(bytes.begin(), bytes.begin() + n);
    auto m = pot::decodeMessage(cut);
    ASSERT_FALSE(m) << "accepted a " << n << "-byte prefix";
    EXPECT_EQ(m.status().code(), pot::ExitCode::kMalformed);
  }
}

TEST(MessageIo, TrailingBytesAreMalformed) {
  auto bytes = sampleMessage();
  bytes.push_back(0);
  EXPECT_EQ(pot::decodeMessage(bytes).status().code(), pot::ExitCode::kMalformed);
}

TEST(MessageIo, RandomBytesNeverCrash) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    pot::Bytes junk(8 + rng() % 200);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    // Half the time give it a plausible frame so the decoder goes deeper.
    if (i % 2 == 0) {
      uint32_t words = static_cast<uint32_t>((junk.size() - 8) / 8);
      junk.resize(8 + words * 8);
      for (int k = 0; k < 4; ++k) {
        junk[k] = 0;
        junk[4 + k] = static_cast<uint8_t>(words >> (8 * k));
      }
    }
    auto m = pot::decodeMessage(junk);
    if (m) (void)(*m)->kind();  // accepted junk must still be readable
  }
}

TEST(MessageIo, FlippedBitsNeverCrash) {
  auto bytes = sampleMessage();
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    auto copy = bytes;
    copy[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto m = pot::decodeMessage(copy);
    if (m) (void)pot::encodeMessage((*m)->envelope());
  }
}

TEST(MessageIo, SizeLimit) {
  pot::ReadLimits limits;
  limits.maxBytes = 16;
  EXPECT_EQ(pot::decodeMessage(sampleMessage(), limits).status().code(), pot::ExitCode::kMalformed);
}

TEST(MessageIo, WrongKindNamesBoth) {
  auto m = pot::decodeMessage(sampleMessage());
  ASSERT_TRUE(m);
  auto s = pot::expectKind(**m, pot::schema::Envelope::BLOCK, "'x'");
  EXPECT_EQ(s.code(), pot::ExitCode::kMalformed);
  EXPECT_EQ(s.message(), "'x': expected a block, got a loss trace");
}

// Layout of sampleMessage(): 8-byte frame, root pointer, Envelope data word
// (union discriminant in bytes 0-1, the rest padding), Envelope pointer,
// then LossTrace's data word (stage in bytes 0-3, the rest padding).
constexpr size_t kEnvelopeData = 16;
constexpr size_t kLossTraceData = 32;

TEST(MessageIo, StrayBitsInEnvelopePaddingAreMalformed) {
  auto bytes = sampleMessage();
  ASSERT_TRUE(pot::decodeMessage(bytes));
  bytes[kEnvelopeData + 4] = 0x01;  // capnp's canonical check alone accepts this
  auto m = pot::decodeMessage(bytes);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().code(), pot::ExitCode::kMalformed);
  EXPECT_NE(m.status().message().find("bits set outside its fields"), std::string::npos)
      << m.status().message();
}

// A stored message is opened with its frame checked only: a damaged frame is still refused,
// a byte form decodeMessage refuses opens (the store accepted it before), and its reads work.
TEST(MessageIo, OpenStoredMessageChecksTheFrameOnly) {
  auto bytes = sampleMessage();
  auto whole = pot::openStoredMessage(bytes);
  ASSERT_TRUE(whole) << whole.status().message();
  EXPECT_EQ((*whole)->envelope().getLossTrace().getLosses()[1], 1.5f);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto m = pot::openStoredMessage(pot::Bytes(bytes.begin(), bytes.begin() + n));
    ASSERT_FALSE(m) << "opened a " << n << "-byte prefix";
    EXPECT_EQ(m.status().code(), pot::ExitCode::kMalformed);
  }
  auto longer = bytes;
  longer.push_back(0);
  EXPECT_FALSE(pot::openStoredMessage(longer));
  auto stray = bytes;
  stray[kEnvelopeData + 4] = 0x01;
  EXPECT_FALSE(pot::decodeMessage(stray));
  auto opened = pot::openStoredMessage(stray);
  ASSERT_TRUE(opened) << opened.status().message();
  EXPECT_EQ((*opened)->envelope().getLossTrace().getStage(), 2u);
}

TEST(MessageIo, StrayBitsInNestedPaddingAreMalformed) {
  auto bytes = sampleMessage();
  ASSERT_EQ(bytes[kLossTraceData], 2);  // stage = 2: the offsets are right
  bytes[kLossTraceData + 5] = 0x80;
  auto m = pot::decodeMessage(bytes);
  ASSERT_FALSE(m);
  EXPECT_NE(m.status().message().find("encoding: message.lossTrace has bits set outside"),
            std::string::npos)
      << m.status().message();
  // The field itself may take any value: only padding is refused.
  auto ok = sampleMessage();
  ok[kLossTraceData + 3] = 0x7f;
  EXPECT_TRUE(pot::decodeMessage(ok));
}

TEST(MessageIo, UnknownPointerFieldIsMalformed) {
  // A writer with a newer schema could add a pointer field; the bytes would
  // then name content this schema cannot see. Append one null-free pointer
  // slot to the Envelope: root pointer's pointer count 1 -> 2, the new slot
  // pointing at a copy of the existing target.
  auto bytes = sampleMessage();
  ASSERT_EQ(bytes[8 + 6], 1);  // root pointer: Envelope has one pointer
  auto m = pot::decodeMessage(bytes);
  ASSERT_TRUE(m);
  capnp::MallocMessageBuilder b;
  auto root = b.getRoot<capnp::AnyPointer>();
  auto s = root.initAsAnyStruct(1, 2);
  s.getDataSection()[0] = 3;  // lossTrace
  s.getPointerSection()[0].setAs<pot::schema::LossTrace>((*m)->envelope().getLossTrace());
  s.getPointerSection()[1].setAs<capnp::Text>("unknown");
  auto canon = s.asReader().canonicalize();
  pot::Bytes framed(8, 0);
  framed[4] = static_cast<uint8_t>(canon.size());
  auto raw = canon.asBytes();
  framed.insert(framed.end(), raw.begin(), raw.end());
  auto r = pot::decodeMessage(framed);
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("larger than its schema"), std::string::npos)
      << r.status().message();
}

}  // namespace

// The tag word of an inline-composite list holds the element count in bits
// 2..31 of its first half; readers take fewer bits than that, so the top bit
// could be set without changing what any reader sees (and without a key:
// the message id canonicalises again). Only the canonical bytes are a message.
TEST(MessageIo, IgnoredBitsOfAListTagAreNonCanonical) {
  capnp::MallocMessageBuilder mb;
  auto state = mb.initRoot<pot::schema::Envelope>().initModelState();
  state.setArchitecture("mlp:2-2");
  auto params = state.initParameters(1);
  params[0].setName("w");
  params[0].initShape(1).set(0, 2);
  params[0].setData(kj::heapArray<kj::byte>(8).asPtr());
  auto bytes = pot::encodeMessage(mb.getRoot<pot::schema::Envelope>().asReader());
  ASSERT_TRUE(pot::decodeMessage(bytes));
  // Tag word of the one-element Tensor list: count 1 (<< 2), no data words
  // (dtype 0 is trimmed by canonical form), 3 pointers.
  const uint8_t tag[8] = {4, 0, 0, 0, 0, 0, 3, 0};
  auto at = std::search(bytes.begin(), bytes.end(), tag, tag + 8);
  ASSERT_NE(at, bytes.end());
  // Every bit of the count half: 31 is the one readers ignore (refused as
  // non-canonical); the others change the count, which no longer fits.
  for (int bit = 2; bit < 32; ++bit) {
    auto edited = bytes;
    edited[at - bytes.begin() + bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    auto m = pot::decodeMessage(edited);
    ASSERT_FALSE(m) << "bit " << bit;
    EXPECT_EQ(m.status().code(), pot::ExitCode::kMalformed);
    if (bit == 31)
      EXPECT_NE(m.status().message().find("non-canonical"), std::string::npos)
          << m.status().message();
  }
}

// JSON in with escapes as Python's json.dumps writes them (non-ASCII as \u):
// the message holds the UTF-8 text, not Cap'n Proto 0.9's misreading.
TEST(MessageIo, JsonEscapesBecomeUtf8) {
  auto desc = pot::envelopeFromJson(
      R"({"trainingRequest": {"body": {"description": "caf\u00e9 \u001b\ud83d\ude00"}}})");
  ASSERT_TRUE(desc) << desc.status().message();
  auto m = pot::decodeMessage(*desc);
  ASSERT_TRUE(m);
  EXPECT_EQ(std::string((*m)->envelope().getTrainingRequest().getBody().getDescription().cStr()),
            "caf\xc3\xa9 \x1b\xf0\x9f\x98\x80");
}
