// Fuzz input as ZeroMQ frames, for the targets that read multipart requests: each frame is a
// 2-byte little-endian length and that many bytes; a tail shorter than its length is the last
// frame as it is. bench/fuzz/seeds.sh writes real requests in this form.
#pragma once

#include <cstddef>
#include <cstdint>

#include "libcommon/net/net.h"

namespace pot::fuzz {

inline net::Frames framesOf(const uint8_t* data, size_t size) {
  net::Frames frames;
  size_t at = 0;
  while (at < size && frames.size() < 64) {
    if (size - at < 2) {
      frames.emplace_back(data + at, data + size);
      break;
    }
    const size_t n = data[at] | (static_cast<size_t>(data[at + 1]) << 8);
    at += 2;
    const size_t take = n < size - at ? n : size - at;
    frames.emplace_back(data + at, data + at + take);
    at += take;
  }
  return frames;
}

// The folder bench/fuzz/seeds.sh made with a genesis and a chain of real blocks
// ($POT_FUZZ_CHAIN/genesis, $POT_FUZZ_CHAIN/chain/NNNNNN.block); the targets
// that judge input against a chain abort at start without it.
const char* chainFolder();

}  // namespace pot::fuzz
