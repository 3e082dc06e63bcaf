// Every signature a block carries, checked once before validation (see block_signatures.h).
#include "libcommon/consensus/block_signatures.h"

#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"

namespace pot {
namespace {

// The signature of `body` under `key`, and the id its payload hashes to.
bool check(capnp::Data::Reader key, Domain domain, capnp::DynamicStruct::Reader body,
           capnp::Data::Reader signature, Hash256* id = nullptr) {
  const Bytes payload = signingPayload(domain, body);
  if (id) *id = sha256(payload);
  if (key.size() != 32) return false;  // validation names the bad field
  return verifySignature(hashFrom(key), payload.data(), payload.size(), signature.begin(),
                         signature.size());
}

}  // namespace

BlockSignatures checkWrapper(schema::Block::Reader block) {
  BlockSignatures checked;
  auto body = block.getBody();
  checked.wrapperVerified =
      check(body.getWrapper(), Domain::kBlock, body, block.getSignature(), &checked.blockId);
  return checked;
}

void checkOtherSignatures(schema::Block::Reader block, BlockSignatures& checked) {
  auto body = block.getBody();
  auto header = body.getHeader();
  // Every one is checked even after a failure, for the ids.
  bool all = check(header.getBody().getPubkey(), Domain::kHeader, header.getBody(),
                   header.getSignature(), &checked.headerId);
  checked.declarationIds.clear();
  for (auto td : body.getDeclarations()) {
    checked.declarationIds.emplace_back();
    all &= check(td.getBody().getPubkey(), Domain::kDeclaration, td.getBody(), td.getSignature(),
                 &checked.declarationIds.back());
  }
  for (auto s : body.getStakeholderSignatures())
    all &= check(s.getBody().getPubkey(), Domain::kStakeSig, s.getBody(), s.getSignature());
  for (auto tx : body.getTransactions()) {
    auto tb = tx.getBody();
    all &= check(tb.getSender(), Domain::kTx, tb, tx.getSignature());
    if (tb.isRegisterModel()) {
      auto request = tb.getRegisterModel();
      all &= check(request.getBody().getEmployer(), Domain::kRequest, request.getBody(),
                   request.getSignature());
    }
  }
  checked.othersChecked = true;
  checked.allVerified = checked.wrapperVerified && all;
}

}  // namespace pot
