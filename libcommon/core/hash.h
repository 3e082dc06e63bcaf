// SHA-256 and the 32-byte Hash256 value type used for IDs, hashes and keys.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pot {

using Bytes = std::vector<uint8_t>;

struct Hash256 {
  std::array<uint8_t, 32> bytes{};

  const uint8_t* data() const { return bytes.data(); }
  uint8_t* data() { return bytes.data(); }
  static constexpr size_t size() { return 32; }
  bool isZero() const;
  std::string hex() const;
  static std::optional<Hash256> fromHex(std::string_view hex);
  // Copies exactly 32 bytes; std::nullopt if the span has another size.
  static std::optional<Hash256> fromBytes(const uint8_t* data, size_t size);

  friend bool operator==(const Hash256& a, const Hash256& b) { return a.bytes == b.bytes; }
  friend bool operator!=(const Hash256& a, const Hash256& b) { return a.bytes != b.bytes; }
  // Lexicographic order equals big-endian unsigned order (DESIGN 3).
  friend bool operator<(const Hash256& a, const Hash256& b) { return a.bytes < b.bytes; }
};

// Incremental SHA-256 over OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(const void* data, size_t size);
  Sha256& update(std::string_view s) { return update(s.data(), s.size()); }
  Sha256& update(const Bytes& b) { return update(b.data(), b.size()); }
  Sha256& update(const Hash256& h) { return update(h.data(), h.size()); }
  // Integers that enter a hash are little-endian fixed width (DESIGN 3).
  Sha256& updateU32(uint32_t v);
  Sha256& updateU64(uint64_t v);
  Hash256 finish();

 private:
  void* ctx_;  // EVP_MD_CTX, kept opaque so OpenSSL headers stay out
};

Hash256 sha256(const void* data, size_t size);
inline Hash256 sha256(std::string_view s) { return sha256(s.data(), s.size()); }
inline Hash256 sha256(const Bytes& b) { return sha256(b.data(), b.size()); }

std::string toHex(const uint8_t* data, size_t size);
inline std::string toHex(const Bytes& b) { return toHex(b.data(), b.size()); }
std::optional<Bytes> fromHex(std::string_view hex);

}  // namespace pot
