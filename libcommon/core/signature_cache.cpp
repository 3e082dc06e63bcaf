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

namespace {
Hash256 blockEntry(const Hash256& blockId, const uint8_t* signature, size_t signatureSize) {
  Sha256 h;
  h.update(blockId);
  h.update(signature, signatureSize);
  return h.finish();
}
}  // namespace

void SignatureCache::addVerifiedBlock(const Hash256& blockId, const uint8_t* signature,
                                      size_t signatureSize) {
  const Hash256 entry = blockEntry(blockId, signature, signatureSize);
  std::lock_guard<std::mutex> lock(mutex_);
  blocks_.insert(entry);
}

bool SignatureCache::isVerifiedBlock(const Hash256& blockId, const uint8_t* signature,
                                     size_t signatureSize) const {
  const Hash256 entry = blockEntry(blockId, signature, signatureSize);
  std::lock_guard<std::mutex> lock(mutex_);
  return blocks_.count(entry) > 0;
}

size_t SignatureCache::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return verified_.size();
}

}  // namespace pot
