// libFuzzer target: message decoding, the canonical and schema-strict checks, and JSON output.
// Invariant: whatever decodes re-encodes to the very same bytes (one byte form).
#include <cstring>

#include "libcommon/core/json.h"
#include "libcommon/core/message_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pot::ReadLimits limits;
  limits.maxBytes = 1 << 20;
  auto m = pot::decodeMessage(pot::Bytes(data, data + size), limits);
  if (!m) return 0;
  pot::Bytes again = pot::encodeMessage((*m)->envelope());
  if (again.size() != size || std::memcmp(again.data(), data, size) != 0) __builtin_trap();
  (void)pot::envelopeToJson((*m)->envelope());
  return 0;
}
