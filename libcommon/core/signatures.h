// Which key signs each message kind, and checking that signature.
#pragma once

#include <optional>

#include "libcommon/core/canonical.h"
#include "libcommon/core/message_io.h"

namespace pot {

// The domain of a signed kind; std::nullopt for unsigned objects
// (states, batches, loss traces, genesis).
std::optional<Domain> signingDomain(schema::Envelope::Which kind);

// The public key that must have signed `message` (DESIGN 3): the employer
// of a request, the `pubkey` of a declaration, header or stakeholder
// signature, the `wrapper` of a block, the `sender` of a transaction.
std::optional<PublicKey> expectedSigner(const Message& message);

// True when the message is unsigned, or its signature verifies under its
// expected signer. Only the outer message is checked: a block's inner
// declarations and header are for the validator.
bool hasValidSignature(const Message& message);

}  // namespace pot
