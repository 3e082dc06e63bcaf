// Ed25519 over OpenSSL EVP: raw 32-byte public keys, PKCS#8/SPKI PEM files.
#include "libcommon/core/crypto.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "libcommon/core/fileio.h"

namespace pot {
namespace {

std::shared_ptr<void> own(EVP_PKEY* k) {
  return std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

std::string opensslError() {
  unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

Result<PublicKey> rawPublic(EVP_PKEY* k) {
  PublicKey pub;
  size_t len = pub.size();
  if (EVP_PKEY_get_raw_public_key(k, pub.data(), &len) != 1 || len != pub.size())
    return Status::malformed("cannot extract Ed25519 public key: " + opensslError());
  return pub;
}

std::string bioToString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

Result<SigningKey> SigningKey::generate() {
  EVP_PKEY* k = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr);
  bool ok = ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_keygen(ctx, &k) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return Status::internal("Ed25519 key generation failed: " + opensslError());
  auto owned = own(k);
  auto pub = rawPublic(k);
  if (!pub) return pub.status();
  return SigningKey(owned, *pub);
}

Result<SigningKey> SigningKey::load(const std::string& path) {
  auto pem = readFile(path, 64 * 1024);
  if (!pem) return pem.status();
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (k == nullptr) {
    ERR_clear_error();
    return Status::malformed("'" + path + "' is not a PEM private key");
  }
  auto owned = own(k);
  if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519)
    return Status::malformed("'" + path + "' is not an Ed25519 key");
  auto pub = rawPublic(k);
  if (!pub) return pub.status();
  return SigningKey(owned, *pub);
}

std::string SigningKey::toPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  // PEM_write_bio_PrivateKey emits PKCS#8 ("BEGIN PRIVATE KEY") for Ed25519.
  PEM_write_bio_PrivateKey(bio, static_cast<EVP_PKEY*>(pkey_.get()), nullptr, nullptr, 0, nullptr,
                           nullptr);
  std::string pem = bioToString(bio);
  BIO_free(bio);
  return pem;
}

Status SigningKey::save(const std::string& path) const {
  std::string pem = toPem();
  return writeFileAtomic(path, reinterpret_cast<const uint8_t*>(pem.data()), pem.size(), 0600,
                         /*overwrite=*/false);
}

Bytes SigningKey::sign(const uint8_t* message, size_t size) const {
  Bytes sig(kSignatureSize);
  size_t len = sig.size();
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx &&
            EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr,
                               static_cast<EVP_PKEY*>(pkey_.get())) == 1 &&
            EVP_DigestSign(ctx, sig.data(), &len, message, size) == 1;
  EVP_MD_CTX_free(ctx);
  // Signing with a valid in-memory key cannot fail short of memory exhaustion.
  if (!ok || len != kSignatureSize) throw std::runtime_error("Ed25519 signing failed");
  return sig;
}

std::optional<Address> addressFromText(const std::string& text) {
  if (text.size() == 64) {
    if (auto h = Hash256::fromHex(text)) return *h;
  }
  if (auto pub = loadPublicKey(text)) return *pub;
  if (auto key = SigningKey::load(text)) return key->publicKey();
  return std::nullopt;
}

Result<PublicKey> loadPublicKey(const std::string& path) {
  auto pem = readFile(path, 64 * 1024);
  if (!pem) return pem.status();
  BIO* bio = BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size()));
  EVP_PKEY* k = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (k == nullptr) {
    ERR_clear_error();
    return Status::malformed("'" + path + "' is not a PEM public key");
  }
  auto owned = own(k);
  if (EVP_PKEY_get_id(k) != EVP_PKEY_ED25519)
    return Status::malformed("'" + path + "' is not an Ed25519 key");
  return rawPublic(k);
}

std::string publicKeyPem(const PublicKey& key) {
  auto k = own(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, static_cast<EVP_PKEY*>(k.get()));
  std::string pem = bioToString(bio);
  BIO_free(bio);
  return pem;
}

Status savePublicKey(const PublicKey& key, const std::string& path) {
  std::string pem = publicKeyPem(key);
  return writeFileAtomic(path, reinterpret_cast<const uint8_t*>(pem.data()), pem.size(), 0644,
                         /*overwrite=*/true);
}

bool verifySignature(const PublicKey& key, const uint8_t* message, size_t size,
                     const uint8_t* signature, size_t signatureSize) {
  if (signatureSize != kSignatureSize) return false;
  EVP_PKEY* k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size());
  if (k == nullptr) {
    ERR_clear_error();
    return false;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, k) == 1 &&
            EVP_DigestVerify(ctx, signature, signatureSize, message, size) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(k);
  ERR_clear_error();
  return ok;
}

void secureRandom(uint8_t* out, size_t size) {
  if (RAND_bytes(out, static_cast<int>(size)) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed");
}

}  // namespace pot
