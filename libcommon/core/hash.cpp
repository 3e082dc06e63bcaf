// SHA-256 over OpenSSL EVP, and hex helpers.
#include "libcommon/core/hash.h"

#include <openssl/evp.h>

#include <cstring>
#include <stdexcept>

#include "libcommon/core/coding.h"

namespace pot {

bool Hash256::isZero() const {
  for (auto b : bytes)
    if (b != 0) return false;
  return true;
}

std::string Hash256::hex() const { return toHex(bytes.data(), bytes.size()); }

std::optional<Hash256> Hash256::fromHex(std::string_view hex) {
  auto raw = pot::fromHex(hex);
  if (!raw || raw->size() != 32) return std::nullopt;
  return fromBytes(raw->data(), raw->size());
}

std::optional<Hash256> Hash256::fromBytes(const uint8_t* data, size_t size) {
  if (size != 32) return std::nullopt;
  Hash256 h;
  std::memcpy(h.bytes.data(), data, 32);
  return h;
}

namespace {
// Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up in its
// provider tables (locks and a hash-table walk) on every initialisation,
// which a block import does dozens of times per block.
const EVP_MD* sha256Md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  // Allocation failure is out of memory, not bad input: treat as fatal.
  if (ctx_ == nullptr || sha256Md() == nullptr ||
      EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), sha256Md(), nullptr) != 1)
    throw std::runtime_error("OpenSSL SHA-256 initialisation failed");
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

Sha256& Sha256::update(const void* data, size_t size) {
  if (size > 0) EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
  return *this;
}

Sha256& Sha256::updateU32(uint32_t v) {
  uint8_t le[4];
  coding::putLe32(le, v);
  return update(le, sizeof le);
}

Sha256& Sha256::updateU64(uint64_t v) {
  uint8_t le[8];
  coding::putLe64(le, v);
  return update(le, sizeof le);
}

Hash256 Sha256::finish() {
  Hash256 h;
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), h.bytes.data(), &len);
  return h;
}

Hash256 sha256(const void* data, size_t size) { return Sha256().update(data, size).finish(); }

std::string toHex(const uint8_t* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::optional<Bytes> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

}  // namespace pot
