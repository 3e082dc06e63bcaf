// Canonical Cap'n Proto encoding, domain-tagged signing payloads and message IDs.
#pragma once

#include <capnp/dynamic.h>

#include <string_view>

#include "libcommon/core/crypto.h"
#include "libcommon/core/hash.h"

namespace pot {

// Domain tags separate signatures of different message kinds (DESIGN 3).
enum class Domain { kRequest, kDeclaration, kHeader, kStakeSig, kBlock, kTx };
std::string_view domainTag(Domain domain);

// The canonical encoding (capnp::canonicalize) of a struct, as bytes, in
// the one form of empty: a zero-length List, Data or Text value is written
// as null (docs/protocol.md, Encoding), so whatever a writer built, what is
// signed, hashed and written has one byte form.
Bytes canonicalBytes(capnp::DynamicStruct::Reader body);

// domain tag || canonical body: what is signed and what the ID hashes.
Bytes signingPayload(Domain domain, capnp::DynamicStruct::Reader body);

// SHA-256 of the signing payload: the ID of a signed message.
Hash256 messageId(Domain domain, capnp::DynamicStruct::Reader body);

Bytes signBody(const SigningKey& key, Domain domain, capnp::DynamicStruct::Reader body);
bool verifyBody(const PublicKey& key, Domain domain, capnp::DynamicStruct::Reader body,
                const uint8_t* signature, size_t signatureSize);

}  // namespace pot
