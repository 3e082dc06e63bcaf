// Message IDs per kind (docs/protocol.md, "Message IDs") and inspect output.
#include "libcommon/core/inspect.h"

#include "libcommon/core/canonical.h"

namespace pot {

Hash256 envelopeId(const Message& message) {
  using W = schema::Envelope::Which;
  auto env = message.envelope();
  switch (env.which()) {
    case W::TRAINING_REQUEST:
      return messageId(Domain::kRequest, env.getTrainingRequest().getBody());
    case W::TRAINING_DECLARATION:
      return messageId(Domain::kDeclaration, env.getTrainingDeclaration().getBody());
    case W::BLOCK_HEADER:
      return messageId(Domain::kHeader, env.getBlockHeader().getBody());
    case W::STAKEHOLDER_SIGNATURE:
      return messageId(Domain::kStakeSig, env.getStakeholderSignature().getBody());
    case W::BLOCK:
      return messageId(Domain::kBlock, env.getBlock().getBody());
    case W::TRANSACTION:
      return messageId(Domain::kTx, env.getTransaction().getBody());
    default:
      return message.fileHash();
  }
}

std::string inspectMessage(const Message& message, const InspectOptions& options) {
  switch (options.mode) {
    case InspectMode::kId:
      return envelopeId(message).hex();
    case InspectMode::kKind:
      return kindName(message.kind());
    case InspectMode::kJson:
      return envelopeToJson(message.envelope(), options.json);
  }
  return {};
}

}  // namespace pot
