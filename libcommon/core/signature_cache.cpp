// Signatures verified once and looked up after (see signature_cache.h).
#include "libcommon/core/signature_cache.h"

namespace pot {

bool SignatureCache::verifyBody(const PublicKey& key, Domain domain,
                                capnp::DynamicStruct::Reader body, const uint8_t* signature,
                                size_t signatureSize) {
  const Bytes payload = signingPayload(domain, body);
  Sha256 h;
  h.update(key);
  h.update(sha256(payload));
  h.update(signature, signatureSize);
  const Hash256 entry = h.finish();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (verified_.count(entry)) return true;
  }
  if (!verifySignature(key, payload.data(), payload.size(), signature, signatureSize)) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  verified_.insert(entry);
  return true;
}

size_t SignatureCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return verified_.size();
}

}  // namespace pot
