// Transactions (DESIGN 5.1): transfers (escrow deposits included) and training request
// registration.
#pragma once

#include "libcommon/core/crypto.h"
#include "libcommon/core/message_io.h"

namespace pot {

// A signed transfer as an Envelope file.
Bytes makeTransfer(const SigningKey& sender, uint64_t nonce, uint64_t fee, const Address& to,
                   uint64_t amount);

// A signed registration of `request` (a TrainingRequest message).
Result<Bytes> makeRegistration(const SigningKey& sender, uint64_t nonce, uint64_t fee,
                               const Message& request);

}  // namespace pot
