// The relay rule: what pot-gossip accepts, refuses and treats as a duplicate.
#include "libcommon/net/gossip.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include "libcommon/core/canonical.h"
#include "libcommon/core/crypto.h"

namespace {

pot::Bytes signedTransaction(const pot::SigningKey& key, uint64_t nonce) {
  capnp::MallocMessageBuilder m;
  auto tx = m.initRoot<pot::schema::Envelope>().initTransaction();
  auto body = tx.initBody();
  body.setSender(kj::arrayPtr(key.publicKey().data(), 32));
  body.setNonce(nonce);
  auto t = body.initTransfer();
  t.setAmount(5);
  t.setTo(kj::arrayPtr(key.publicKey().data(), 32));
  auto sig = pot::signBody(key, pot::Domain::kTx, body.asReader());
  tx.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return pot::encodeMessage(m.getRoot<pot::schema::Envelope>().asReader());
}

TEST(Gossip, AcceptsSignedThenCallsItADuplicate) {
  auto key = pot::SigningKey::generate();
  ASSERT_TRUE(key);
  auto bytes = signedTransaction(*key, 1);
  pot::gossip::SeenSet seen(10);
  auto c = pot::gossip::check(bytes, 1 << 20, seen);
  ASSERT_EQ(c.verdict, pot::gossip::Verdict::kAccept) << c.reason;
  seen.insert(c.id);
  EXPECT_EQ(pot::gossip::check(bytes, 1 << 20, seen).verdict, pot::gossip::Verdict::kDuplicate);
}

TEST(Gossip, RefusesEachBadKindForItsOwnReason) {
  auto key = pot::SigningKey::generate();
  auto bytes = signedTransaction(*key, 1);
  pot::gossip::SeenSet seen(10);
  EXPECT_EQ(pot::gossip::check(bytes, bytes.size() - 1, seen).verdict,
            pot::gossip::Verdict::kOversized);
  auto tampered = bytes;
  tampered.back() ^= 1;  // the signature is the last field of the encoding
  EXPECT_EQ(pot::gossip::check(tampered, 1 << 20, seen).verdict,
            pot::gossip::Verdict::kBadSignature);
  auto cut = pot::Bytes(bytes.begin(), bytes.end() - 8);
  EXPECT_EQ(pot::gossip::check(cut, 1 << 20, seen).verdict, pot::gossip::Verdict::kMalformed);
  capnp::MallocMessageBuilder m;
  m.initRoot<pot::schema::Envelope>().initModelState().setStage(1);
  auto state = pot::encodeMessage(m.getRoot<pot::schema::Envelope>().asReader());
  EXPECT_EQ(pot::gossip::check(state, 1 << 20, seen).verdict, pot::gossip::Verdict::kNotGossiped);
}

TEST(Gossip, SeenSetForgetsOldestBeyondCapacity) {
  pot::gossip::SeenSet seen(2);
  pot::Hash256 a = pot::sha256("a"), b = pot::sha256("b"), c = pot::sha256("c");
  seen.insert(a);
  seen.insert(b);
  seen.insert(b);
  EXPECT_TRUE(seen.contains(a));
  seen.insert(c);
  EXPECT_FALSE(seen.contains(a));
  EXPECT_TRUE(seen.contains(b));
  EXPECT_TRUE(seen.contains(c));
  EXPECT_EQ(seen.size(), 2u);
}

TEST(Gossip, TopicsAreCommandLineKindNames) {
  EXPECT_EQ(pot::gossip::topic(pot::schema::Envelope::TRAINING_DECLARATION),
            "training-declaration");
  EXPECT_EQ(pot::gossip::topic(pot::schema::Envelope::BLOCK), "block");
}

}  // namespace

namespace {

using pot::gossip::Hello;

TEST(GossipHello, FramesRoundTripWithAndWithoutGenesis) {
  const Hello ours{pot::gossip::kProtocolVersion, pot::sha256("genesis")};
  auto f = pot::gossip::helloFrames(ours);
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(pot::net::text(f[0]), "hello");
  EXPECT_EQ(pot::net::text(f[1]), "1");
  auto back = pot::gossip::parseHello(f, 0);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->version, 1u);
  EXPECT_EQ(back->genesis, ours.genesis);
  auto unknown = pot::gossip::parseHello(pot::gossip::helloFrames(Hello{1, std::nullopt}), 0);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->genesis);
}

TEST(GossipHello, TheBareHelloOfOlderDaemonsIsVersionZero) {
  auto old = pot::gossip::parseHello({pot::net::frame("rid"), pot::net::frame("hello")}, 1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->version, 0u);
}

TEST(GossipHello, MalformedHellosAreRefusedAsGarbage) {
  using pot::net::frame;
  EXPECT_FALSE(pot::gossip::parseHello({frame("msg")}, 0));
  EXPECT_FALSE(pot::gossip::parseHello({frame("hello"), frame("1")}, 0));
  EXPECT_FALSE(pot::gossip::parseHello({frame("hello"), frame("x1"), pot::Bytes{}}, 0));
  EXPECT_FALSE(pot::gossip::parseHello({frame("hello"), frame(""), pot::Bytes{}}, 0));
  EXPECT_FALSE(pot::gossip::parseHello({frame("hello"), frame("1"), pot::Bytes(31, 7)}, 0));
  EXPECT_FALSE(pot::gossip::parseHello({frame("hello"), frame("1"), pot::Bytes{}, frame("x")}, 0));
}

TEST(GossipHello, MismatchNamesTheGenesisOrVersion) {
  const auto a = pot::sha256("chain a"), b = pot::sha256("chain b");
  const Hello ours{1, a};
  EXPECT_EQ(pot::gossip::helloMismatch(ours, Hello{1, a}, "127.0.0.1"), std::nullopt);
  EXPECT_EQ(pot::gossip::helloMismatch(ours, Hello{1, b}, "127.0.0.1"),
            "peer 127.0.0.1 is on genesis " + b.hex() + ", we are on " + a.hex());
  EXPECT_EQ(pot::gossip::helloMismatch(ours, Hello{2, a}, "127.0.0.1"),
            "peer 127.0.0.1 speaks gossip protocol version 2, we speak 1");
  EXPECT_EQ(pot::gossip::helloMismatch(ours, Hello{0, std::nullopt}, "p"),
            "peer p speaks gossip protocol version 0, we speak 1");
  // A side that knows its genesis refuses a hello naming none: it could be of any chain.
  EXPECT_EQ(pot::gossip::helloMismatch(ours, Hello{1, std::nullopt}, "p"),
            "peer p names no genesis, we are on " + a.hex());
  // A side that does not know its genesis checks the version only.
  EXPECT_EQ(pot::gossip::helloMismatch(Hello{1, std::nullopt}, Hello{1, b}, "p"), std::nullopt);
  EXPECT_EQ(pot::gossip::helloMismatch(Hello{1, std::nullopt}, Hello{1, std::nullopt}, "p"),
            std::nullopt);
}

}  // namespace
