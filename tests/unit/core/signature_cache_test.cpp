// The signature cache: only a triple that verified is remembered, a hit needs the same key,
// payload and signature, and threads fill it together (parallelFor).
#include "libcommon/core/signature_cache.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <atomic>

#include "libcommon/core/data_field.h"
#include "libcommon/core/parallel.h"
#include "schemas/pot.capnp.h"

namespace {

struct Signed {
  capnp::MallocMessageBuilder mb;
  pot::schema::StakeholderSignature::Builder sig() {
    return mb.getRoot<pot::schema::StakeholderSignature>();
  }
};

std::unique_ptr<Signed> stakeSig(const pot::SigningKey& key, uint32_t index) {
  auto s = std::make_unique<Signed>();
  auto root = s->mb.initRoot<pot::schema::StakeholderSignature>();
  root.getBody().setIndex(index);
  root.getBody().setPubkey(pot::dataOf(key.publicKey()));
  pot::Bytes sig = pot::signBody(key, pot::Domain::kStakeSig, root.getBody().asReader());
  root.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return s;
}

bool check(pot::SignatureCache& cache, const pot::SigningKey& key, Signed& s,
           pot::Domain domain = pot::Domain::kStakeSig) {
  auto r = s.sig().asReader();
  auto sig = r.getSignature();
  return cache.verifyBody(key.publicKey(), domain, r.getBody(), sig.begin(), sig.size());
}

TEST(SignatureCache, RemembersOnlyWhatVerified) {
  auto key = pot::SigningKey::generate();
  auto other = pot::SigningKey::generate();
  ASSERT_TRUE(key && other);
  pot::SignatureCache cache;
  auto good = stakeSig(*key, 1);
  EXPECT_TRUE(check(cache, *key, *good));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(check(cache, *key, *good));  // a hit: nothing added
  EXPECT_EQ(cache.size(), 1u);
  // The same signature under another key, another domain or another body
  // is no hit, and does not verify.
  EXPECT_FALSE(check(cache, *other, *good));
  EXPECT_FALSE(check(cache, *key, *good, pot::Domain::kHeader));
  good->sig().getBody().setIndex(2);
  EXPECT_FALSE(check(cache, *key, *good));
  // A bad signature is never remembered.
  auto bad = stakeSig(*key, 3);
  auto s = bad->sig().getSignature();
  s[0] ^= 1;
  EXPECT_FALSE(check(cache, *key, *bad));
  EXPECT_FALSE(check(cache, *key, *bad));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SignatureCache, AVerifiedBlockIsItsIdWithItsWrappersSignature) {
  pot::SignatureCache cache;
  const pot::Hash256 id = pot::sha256("block");
  const pot::Bytes sig(64, 7), other(64, 8);
  EXPECT_FALSE(cache.isVerifiedBlock(id, sig.data(), sig.size()));
  cache.addVerifiedBlock(id, sig.data(), sig.size());
  EXPECT_TRUE(cache.isVerifiedBlock(id, sig.data(), sig.size()));
  EXPECT_FALSE(cache.isVerifiedBlock(id, other.data(), other.size()));
  EXPECT_FALSE(cache.isVerifiedBlock(pot::sha256("another"), sig.data(), sig.size()));
  EXPECT_EQ(cache.size(), 0u);  // no signature triple came with it
}

TEST(SignatureCache, ThreadsFillItTogether) {
  auto key = pot::SigningKey::generate();
  ASSERT_TRUE(key);
  std::vector<std::unique_ptr<Signed>> sigs;
  for (uint32_t i = 0; i < 64; ++i) sigs.push_back(stakeSig(*key, i));
  pot::SignatureCache cache;
  std::atomic<int> verified{0};
  pot::parallelFor(sigs.size(), 4, [&](size_t i) { verified += check(cache, *key, *sigs[i]); });
  EXPECT_EQ(verified, 64);
  EXPECT_EQ(cache.size(), 64u);
  EXPECT_GE(pot::usableCores(), 1u);
  // parallelFor calls each index once, whatever the thread count.
  for (unsigned threads : {0u, 1u, 3u, 100u}) {
    std::vector<std::atomic<int>> calls(37);
    pot::parallelFor(calls.size(), threads, [&](size_t i) { calls[i]++; });
    for (auto& c : calls) EXPECT_EQ(c, 1);
  }
}

}  // namespace
