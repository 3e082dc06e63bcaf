// libFuzzer target: JSON to message (pot-inspect --from-json). Invariant: what the codec
// accepts is a message in its one byte form, and prints back to JSON that reads the same.
#include "libcommon/core/json.h"
#include "libcommon/core/message_io.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = pot::envelopeFromJson(std::string(reinterpret_cast<const char*>(data), size));
  if (!bytes) return 0;
  auto m = pot::decodeMessage(*bytes);
  if (!m) __builtin_trap();
  pot::JsonOptions whole;
  whole.maxDataBytes = SIZE_MAX;
  auto again = pot::envelopeFromJson(pot::envelopeToJson((*m)->envelope(), whole));
  if (!again || *again != *bytes) __builtin_trap();
  return 0;
}
