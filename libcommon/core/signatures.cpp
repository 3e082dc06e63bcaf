// Signer lookup per message kind (docs/protocol.md, "Signatures").
#include "libcommon/core/signatures.h"

namespace pot {
namespace {

std::optional<PublicKey> keyFrom(capnp::Data::Reader d) {
  return Hash256::fromBytes(d.begin(), d.size());
}

}  // namespace

std::optional<Domain> signingDomain(schema::Envelope::Which kind) {
  using W = schema::Envelope::Which;
  switch (kind) {
    case W::TRAINING_REQUEST:
      return Domain::kRequest;
    case W::TRAINING_DECLARATION:
      return Domain::kDeclaration;
    case W::BLOCK_HEADER:
      return Domain::kHeader;
    case W::STAKEHOLDER_SIGNATURE:
      return Domain::kStakeSig;
    case W::BLOCK:
      return Domain::kBlock;
    case W::TRANSACTION:
      return Domain::kTx;
    default:
      return std::nullopt;
  }
}

std::optional<PublicKey> expectedSigner(const Message& message) {
  using W = schema::Envelope::Which;
  auto env = message.envelope();
  switch (env.which()) {
    case W::TRAINING_REQUEST:
      return keyFrom(env.getTrainingRequest().getBody().getEmployer());
    case W::TRAINING_DECLARATION:
      return keyFrom(env.getTrainingDeclaration().getBody().getPubkey());
    case W::BLOCK_HEADER:
      return keyFrom(env.getBlockHeader().getBody().getPubkey());
    case W::STAKEHOLDER_SIGNATURE:
      return keyFrom(env.getStakeholderSignature().getBody().getPubkey());
    case W::BLOCK:
      return keyFrom(env.getBlock().getBody().getWrapper());
    case W::TRANSACTION:
      return keyFrom(env.getTransaction().getBody().getSender());
    default:
      return std::nullopt;
  }
}

bool hasValidSignature(const Message& message) {
  using W = schema::Envelope::Which;
  auto env = message.envelope();
  auto domain = signingDomain(env.which());
  if (!domain) return true;
  auto signer = expectedSigner(message);
  if (!signer) return false;
  auto check = [&](auto signedMessage) {
    auto sig = signedMessage.getSignature();
    return verifyBody(*signer, *domain, signedMessage.getBody(), sig.begin(), sig.size());
  };
  switch (env.which()) {
    case W::TRAINING_REQUEST:
      return check(env.getTrainingRequest());
    case W::TRAINING_DECLARATION:
      return check(env.getTrainingDeclaration());
    case W::BLOCK_HEADER:
      return check(env.getBlockHeader());
    case W::STAKEHOLDER_SIGNATURE:
      return check(env.getStakeholderSignature());
    case W::BLOCK:
      return check(env.getBlock());
    case W::TRANSACTION:
      return check(env.getTransaction());
    default:
      return true;
  }
}

}  // namespace pot
