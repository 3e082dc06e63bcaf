// Every signature a block carries, checked ahead of validation (see block_signatures.h).
#include "libcommon/consensus/block_signatures.h"

#include "libcommon/core/data_field.h"

namespace pot {
namespace {

void check(SignatureCache& cache, capnp::Data::Reader key, Domain domain,
           capnp::DynamicStruct::Reader body, capnp::Data::Reader signature) {
  if (key.size() != 32) return;  // validation names the bad field
  cache.verifyBody(hashFrom(key), domain, body, signature.begin(), signature.size());
}

}  // namespace

void verifyBlockSignatures(schema::Block::Reader block, SignatureCache& cache, bool withWrapper) {
  auto body = block.getBody();
  auto header = body.getHeader();
  check(cache, header.getBody().getPubkey(), Domain::kHeader, header.getBody(),
        header.getSignature());
  for (auto td : body.getDeclarations())
    check(cache, td.getBody().getPubkey(), Domain::kDeclaration, td.getBody(), td.getSignature());
  for (auto s : body.getStakeholderSignatures())
    check(cache, s.getBody().getPubkey(), Domain::kStakeSig, s.getBody(), s.getSignature());
  if (withWrapper) check(cache, body.getWrapper(), Domain::kBlock, body, block.getSignature());
  for (auto tx : body.getTransactions()) {
    auto tb = tx.getBody();
    check(cache, tb.getSender(), Domain::kTx, tb, tx.getSignature());
    if (tb.isRegisterModel()) {
      auto request = tb.getRegisterModel();
      check(cache, request.getBody().getEmployer(), Domain::kRequest, request.getBody(),
            request.getSignature());
    }
  }
}

}  // namespace pot
