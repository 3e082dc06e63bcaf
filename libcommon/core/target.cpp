// 256-bit arithmetic on OpenSSL BIGNUM (big-endian byte conversion both ways).
#include "libcommon/core/target.h"

#include <openssl/bn.h>

#include <memory>
#include <stdexcept>

namespace pot {
namespace {

using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

BnPtr bn() {
  BIGNUM* b = BN_new();
  if (b == nullptr) throw std::bad_alloc();
  return BnPtr(b, &BN_free);
}

BnPtr toBn(const Uint256& v) {
  auto b = bn();
  BN_bin2bn(v.data(), static_cast<int>(v.size()), b.get());
  return b;
}

BnPtr u64ToBn(uint64_t v) {
  auto b = bn();
  BN_set_word(b.get(), v);
  return b;
}

BnPtr max256() {
  auto b = bn();
  BN_set_bit(b.get(), 256);
  BN_sub_word(b.get(), 1);
  return b;
}

// Values above 2^256 - 1 saturate.
Uint256 fromBn(const BIGNUM* b) {
  auto m = max256();
  Uint256 out;
  BN_bn2binpad(BN_cmp(b, m.get()) > 0 ? m.get() : b, out.data(), static_cast<int>(out.size()));
  return out;
}

struct Ctx {
  BN_CTX* c = BN_CTX_new();
  ~Ctx() { BN_CTX_free(c); }
};

}  // namespace

Uint256 uint256FromU64(uint64_t v) { return fromBn(u64ToBn(v).get()); }

Uint256 uint256Max() { return fromBn(max256().get()); }

Uint256 posTarget(const Uint256& base, uint64_t stake, uint64_t ageSeconds) {
  Ctx ctx;
  auto r = toBn(base);
  BN_mul(r.get(), r.get(), u64ToBn(stake).get(), ctx.c);
  BN_mul(r.get(), r.get(), u64ToBn(ageSeconds).get(), ctx.c);
  return fromBn(r.get());
}

Uint256 blockTrust(const Uint256& target) {
  Ctx ctx;
  auto num = bn();
  BN_set_bit(num.get(), 256);
  auto den = toBn(target);
  BN_add_word(den.get(), 1);
  auto q = bn();
  BN_div(q.get(), nullptr, num.get(), den.get(), ctx.c);
  return fromBn(q.get());
}

Uint256 addSaturating(const Uint256& a, const Uint256& b) {
  auto r = toBn(a);
  BN_add(r.get(), r.get(), toBn(b).get());
  return fromBn(r.get());
}

Uint256 divideU64(const Uint256& a, uint64_t d) {
  if (d == 0) return uint256Max();
  auto r = toBn(a);
  BN_div_word(r.get(), d);
  return fromBn(r.get());
}

}  // namespace pot
