// Ed25519 keys (PEM on disk), signing and verification over OpenSSL EVP.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot {

// A raw 32-byte Ed25519 public key; it is also the account address.
using PublicKey = Hash256;
// An account: a public key, or a keyless escrow address (DESIGN 5.1).
using Address = Hash256;

constexpr size_t kSignatureSize = 64;

class SigningKey {
 public:
  static Result<SigningKey> generate();
  // PKCS#8 PEM, as written by save(); refuses any key type but Ed25519.
  static Result<SigningKey> load(const std::string& path);
  // Writes PKCS#8 PEM with mode 0600 atomically; never overwrites.
  Status save(const std::string& path) const;
  std::string toPem() const;

  const PublicKey& publicKey() const { return public_; }
  Bytes sign(const uint8_t* message, size_t size) const;
  Bytes sign(const Bytes& message) const { return sign(message.data(), message.size()); }

 private:
  SigningKey(std::shared_ptr<void> pkey, PublicKey pub) : pkey_(std::move(pkey)), public_(pub) {}
  std::shared_ptr<void> pkey_;  // EVP_PKEY, opaque so OpenSSL stays in the .cpp
  PublicKey public_;
};

// SPKI PEM public key files.
Result<PublicKey> loadPublicKey(const std::string& path);
std::string publicKeyPem(const PublicKey& key);
// An account named on a command line: 64 hex digits, or a PEM public or
// private key file (its public key); nullopt when it is neither.
std::optional<Address> addressFromText(const std::string& text);
Status savePublicKey(const PublicKey& key, const std::string& path);

// False for any malformed key or signature: verification never throws.
bool verifySignature(const PublicKey& key, const uint8_t* message, size_t size,
                     const uint8_t* signature, size_t signatureSize);

// Fills `out` with cryptographically secure random bytes.
void secureRandom(uint8_t* out, size_t size);

}  // namespace pot
