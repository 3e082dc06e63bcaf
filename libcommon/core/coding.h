// Fixed-width integers as bytes: the one place their order on disk, on the wire and in hashes is
// written down (docs/protocol.md, "Conventions").
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pot::coding {

// Little-endian: hash inputs (le32/le64 in docs/protocol.md), frames, records.
inline void putLe32(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void putLe64(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t getLe32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{p[i]} << (8 * i);
  return v;
}
inline uint64_t getLe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}
inline void appendLe32(std::vector<uint8_t>& out, uint32_t v) {
  uint8_t b[4];
  putLe32(b, v);
  out.insert(out.end(), b, b + 4);
}
inline void appendLe64(std::vector<uint8_t>& out, uint64_t v) {
  uint8_t b[8];
  putLe64(b, v);
  out.insert(out.end(), b, b + 8);
}

// Big-endian: LMDB keys that must sort numerically (heights), IDX headers.
inline void putBe32(uint8_t* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<uint8_t>(v >> (8 * (3 - i)));
}
inline void putBe64(uint8_t* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * (7 - i)));
}
inline uint32_t getBe32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}
inline uint64_t getBe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | p[i];
  return v;
}

}  // namespace pot::coding
