// Making signed transactions (docs/protocol.md, "Transactions").
#include "libcommon/consensus/transaction.h"

#include <capnp/message.h>

#include "libcommon/core/canonical.h"

namespace pot {
namespace {

template <typename Fill>
Bytes makeTx(const SigningKey& sender, uint64_t nonce, uint64_t fee, Fill fill) {
  capnp::MallocMessageBuilder mb;
  auto tx = mb.initRoot<schema::Envelope>().initTransaction();
  auto body = tx.initBody();
  const auto& pub = sender.publicKey();
  body.setSender(kj::arrayPtr(pub.data(), pub.size()));
  body.setNonce(nonce);
  body.setFee(fee);
  fill(body);
  Bytes sig = signBody(sender, Domain::kTx, body.asReader());
  tx.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return encodeMessage(mb.getRoot<schema::Envelope>().asReader());
}

}  // namespace

Bytes makeTransfer(const SigningKey& sender, uint64_t nonce, uint64_t fee, const Address& to,
                   uint64_t amount) {
  return makeTx(sender, nonce, fee, [&](schema::Transaction::Body::Builder b) {
    auto t = b.initTransfer();
    t.setTo(kj::arrayPtr(to.data(), to.size()));
    t.setAmount(amount);
  });
}

Result<Bytes> makeRegistration(const SigningKey& sender, uint64_t nonce, uint64_t fee,
                               const Message& request) {
  POT_TRY(expectKind(request, schema::Envelope::TRAINING_REQUEST, "request"));
  auto req = request.envelope().getTrainingRequest();
  return makeTx(sender, nonce, fee,
                [&](schema::Transaction::Body::Builder b) { b.setRegisterModel(req); });
}

}  // namespace pot
