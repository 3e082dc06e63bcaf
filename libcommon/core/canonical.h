// Canonical Cap'n Proto encoding, domain-tagged signing payloads and message IDs.
#pragma once

#include <capnp/any.h>

#include <string_view>

#include "libcommon/core/crypto.h"
#include "libcommon/core/hash.h"

namespace pot {

// Domain tags separate signatures of different message kinds (DESIGN 3).
enum class Domain { kRequest, kDeclaration, kHeader, kStakeSig, kBlock, kTx };
std::string_view domainTag(Domain domain);

// The canonical encoding (capnp::canonicalize) of a struct, as bytes.
Bytes canonicalBytes(capnp::AnyStruct::Reader body);

// domain tag || canonical body: what is signed and what the ID hashes.
Bytes signingPayload(Domain domain, capnp::AnyStruct::Reader body);

// SHA-256 of the signing payload: the ID of a signed message.
Hash256 messageId(Domain domain, capnp::AnyStruct::Reader body);

Bytes signBody(const SigningKey& key, Domain domain, capnp::AnyStruct::Reader body);
bool verifyBody(const PublicKey& key, Domain domain, capnp::AnyStruct::Reader body,
                const uint8_t* signature, size_t signatureSize);

}  // namespace pot
