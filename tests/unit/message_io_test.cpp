// Message files: round trip, and every kind of damaged input is refused.
#include "libcommon/message_io.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <random>

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

}  // namespace
