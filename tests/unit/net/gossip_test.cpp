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
