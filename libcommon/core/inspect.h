// What pot-inspect prints for one message: JSON, its ID or its kind.
#pragma once

#include <string>

#include "libcommon/core/hash.h"
#include "libcommon/core/json.h"
#include "libcommon/core/message_io.h"

namespace pot {

enum class InspectMode { kJson, kId, kKind };

struct InspectOptions {
  InspectMode mode = InspectMode::kJson;
  JsonOptions json;
};

// The ID of any message: signed messages by their signing payload, the
// rest (states, batches, loss traces, genesis) by their file bytes.
Hash256 envelopeId(const Message& message);

std::string inspectMessage(const Message& message, const InspectOptions& options);

}  // namespace pot
