// Canonical encoding and signing payloads (docs/protocol.md, "Encoding").
#include "libcommon/core/canonical.h"

#include <capnp/message.h>

#include "libcommon/core/strict_schema.h"

namespace pot {

std::string_view domainTag(Domain domain) {
  switch (domain) {
    case Domain::kRequest:
      return "pot/v1/request";
    case Domain::kDeclaration:
      return "pot/v1/td";
    case Domain::kHeader:
      return "pot/v1/bh";
    case Domain::kStakeSig:
      return "pot/v1/stake-sig";
    case Domain::kBlock:
      return "pot/v1/block";
    case Domain::kTx:
      return "pot/v1/tx";
  }
  return "";
}

Bytes canonicalBytes(capnp::DynamicStruct::Reader body) {
  auto toBytes = [](const kj::Array<capnp::word>& words) {
    auto bytes = words.asBytes();
    return Bytes(bytes.begin(), bytes.end());
  };
  // Most bodies are already in the one form; copy only those that are not.
  if (findNonNullEmpty(body).empty()) return toBytes(body.as<capnp::AnyStruct>().canonicalize());
  capnp::MallocMessageBuilder copy;
  copy.setRoot(body);
  auto root = copy.getRoot<capnp::DynamicStruct>(body.getSchema());
  nullEmptyValues(root);
  return toBytes(root.asReader().as<capnp::AnyStruct>().canonicalize());
}

Bytes signingPayload(Domain domain, capnp::DynamicStruct::Reader body) {
  std::string_view tag = domainTag(domain);
  Bytes payload(tag.begin(), tag.end());
  Bytes canon = canonicalBytes(body);
  payload.insert(payload.end(), canon.begin(), canon.end());
  return payload;
}

Hash256 messageId(Domain domain, capnp::DynamicStruct::Reader body) {
  return sha256(signingPayload(domain, body));
}

Bytes signBody(const SigningKey& key, Domain domain, capnp::DynamicStruct::Reader body) {
  return key.sign(signingPayload(domain, body));
}

bool verifyBody(const PublicKey& key, Domain domain, capnp::DynamicStruct::Reader body,
                const uint8_t* signature, size_t signatureSize) {
  Bytes payload = signingPayload(domain, body);
  return verifySignature(key, payload.data(), payload.size(), signature, signatureSize);
}

}  // namespace pot
