// Ed25519: sign/verify, wrong key, flipped bits, PEM round trip, file mode.
#include "libcommon/core/crypto.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace {

std::string tempDir() {
  char tmpl[] = "/tmp/pot-crypto-XXXXXX";
  return mkdtemp(tmpl);
}

TEST(Ed25519, SignVerify) {
  auto key = pot::SigningKey::generate();
  ASSERT_TRUE(key);
  pot::Bytes msg = {'h', 'e', 'l', 'l', 'o'};
  auto sig = key->sign(msg);
  ASSERT_EQ(sig.size(), pot::kSignatureSize);
  EXPECT_TRUE(
      pot::verifySignature(key->publicKey(), msg.data(), msg.size(), sig.data(), sig.size()));
}

TEST(Ed25519, WrongKeyFails) {
  auto a = pot::SigningKey::generate();
  auto b = pot::SigningKey::generate();
  pot::Bytes msg = {1, 2, 3};
  auto sig = a->sign(msg);
  EXPECT_FALSE(
      pot::verifySignature(b->publicKey(), msg.data(), msg.size(), sig.data(), sig.size()));
}

TEST(Ed25519, FlippedBitFails) {
  auto key = pot::SigningKey::generate();
  pot::Bytes msg = {1, 2, 3};
  auto sig = key->sign(msg);
  auto badSig = sig;
  badSig[10] ^= 0x01;
  EXPECT_FALSE(
      pot::verifySignature(key->publicKey(), msg.data(), msg.size(), badSig.data(), badSig.size()));
  auto badMsg = msg;
  badMsg[0] ^= 0x80;
  EXPECT_FALSE(
      pot::verifySignature(key->publicKey(), badMsg.data(), badMsg.size(), sig.data(), sig.size()));
  EXPECT_FALSE(pot::verifySignature(key->publicKey(), msg.data(), msg.size(), sig.data(), 63));
}

TEST(Ed25519, Rfc8032TestVector1) {
  // RFC 8032 section 7.1, TEST 1: empty message.
  auto pub =
      pot::Hash256::fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  auto sig = pot::fromHex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9"
      "b46bd25bf5f0595bbe24655141438e7a100b");
  ASSERT_TRUE(pub && sig);
  EXPECT_TRUE(pot::verifySignature(*pub, nullptr, 0, sig->data(), sig->size()));
}

TEST(Ed25519, PemRoundTripAndMode) {
  std::string dir = tempDir();
  auto key = pot::SigningKey::generate();
  ASSERT_TRUE(key->save(dir + "/k.pem"));
  struct stat st {};
  ASSERT_EQ(stat((dir + "/k.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = pot::SigningKey::load(dir + "/k.pem");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->publicKey(), key->publicKey());
  // Never overwrites an existing key.
  EXPECT_EQ(key->save(dir + "/k.pem").code(), pot::ExitCode::kIo);
  ASSERT_TRUE(pot::savePublicKey(key->publicKey(), dir + "/k.pub"));
  auto pub = pot::loadPublicKey(dir + "/k.pub");
  ASSERT_TRUE(pub);
  EXPECT_EQ(*pub, key->publicKey());
  // A public key file is not a private key.
  EXPECT_EQ(pot::SigningKey::load(dir + "/k.pub").status().code(), pot::ExitCode::kMalformed);
  EXPECT_EQ(pot::SigningKey::load(dir + "/missing").status().code(), pot::ExitCode::kIo);
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
