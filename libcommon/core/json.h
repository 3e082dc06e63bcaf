// Any PoT message as JSON, through Cap'n Proto's JSON codec.
#pragma once

#include <string>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"
#include "schemas/pot.capnp.h"

namespace pot {

struct JsonOptions {
  bool pretty = true;
  // Data fields print as hex; beyond this many bytes they print as
  // "<N bytes, sha256 ...>" so a batch does not flood the terminal.
  size_t maxDataBytes = 64;
};

std::string envelopeToJson(schema::Envelope::Reader envelope, const JsonOptions& options = {});

// The inverse of envelopeToJson with whole Data fields: JSON text to the
// framed canonical message bytes. Summarised Data ("<N bytes ...>") and
// unknown fields are refused as malformed.
Result<Bytes> envelopeFromJson(const std::string& json);

}  // namespace pot
