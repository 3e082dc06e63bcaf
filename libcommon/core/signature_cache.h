// Signatures verified once and looked up after: bulk import checks a batch's signatures on all
// cores ahead of validation, which then asks the cache instead of verifying again.
#pragma once

#include <mutex>
#include <set>

#include "libcommon/core/canonical.h"

namespace pot {

// A set of (public key, signing payload, signature) triples that verified.
// Only a triple that verified is ever remembered, so a hit is as good as a
// verification; whoever uses the cache keeps its own rules and their order
// (a miss verifies as usual), so reject codes do not depend on it.
class SignatureCache {
 public:
  // verifyBody (canonical.h), answered from the cache when the same key,
  // payload and signature verified before. Safe to call from several threads.
  bool verifyBody(const PublicKey& key, Domain domain, capnp::DynamicStruct::Reader body,
                  const uint8_t* signature, size_t signatureSize);
  size_t size() const;

  // A whole block whose every signature verified: its id (the hash of its
  // body's signing payload, which holds every inner message with its
  // signature) and the wrapper's signature, the one thing the id does not
  // cover. Validation of that block then asks no signature one by one.
  void addVerifiedBlock(const Hash256& blockId, const uint8_t* signature, size_t signatureSize);
  bool isVerifiedBlock(const Hash256& blockId, const uint8_t* signature,
                       size_t signatureSize) const;

 private:
  mutable std::mutex mutex_;
  std::set<Hash256> verified_;  // H(key || H(payload) || signature)
  std::set<Hash256> blocks_;    // H(block id || wrapper's signature)
};

// verifyBody through `cache`, or plain verifyBody without one.
inline bool verifyBody(const PublicKey& key, Domain domain, capnp::DynamicStruct::Reader body,
                       const uint8_t* signature, size_t signatureSize, SignatureCache* cache) {
  return cache ? cache->verifyBody(key, domain, body, signature, signatureSize)
               : verifyBody(key, domain, body, signature, signatureSize);
}

}  // namespace pot
