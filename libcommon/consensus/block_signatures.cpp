// Every signature a block carries, checked ahead of validation (see block_signatures.h).
#include "libcommon/consensus/block_signatures.h"

#include "libcommon/consensus/block.h"
#include "libcommon/core/data_field.h"

namespace pot {
namespace {

bool check(SignatureCache& cache, capnp::Data::Reader key, Domain domain,
           capnp::DynamicStruct::Reader body, capnp::Data::Reader signature) {
  if (key.size() != 32) return false;  // validation names the bad field
  return cache.verifyBody(hashFrom(key), domain, body, signature.begin(), signature.size());
}

}  // namespace

bool verifyBlockSignatures(schema::Block::Reader block, SignatureCache& cache, bool withWrapper) {
  auto body = block.getBody();
  auto header = body.getHeader();
  // Every one is checked even after a failure: the cache then answers the
  // others, and validation names the first broken rule itself.
  bool all = check(cache, header.getBody().getPubkey(), Domain::kHeader, header.getBody(),
                   header.getSignature());
  for (auto td : body.getDeclarations())
    all &= check(cache, td.getBody().getPubkey(), Domain::kDeclaration, td.getBody(),
                 td.getSignature());
  for (auto s : body.getStakeholderSignatures())
    all &= check(cache, s.getBody().getPubkey(), Domain::kStakeSig, s.getBody(), s.getSignature());
  if (withWrapper)
    all &= check(cache, body.getWrapper(), Domain::kBlock, body, block.getSignature());
  for (auto tx : body.getTransactions()) {
    auto tb = tx.getBody();
    all &= check(cache, tb.getSender(), Domain::kTx, tb, tx.getSignature());
    if (tb.isRegisterModel()) {
      auto request = tb.getRegisterModel();
      all &= check(cache, request.getBody().getEmployer(), Domain::kRequest, request.getBody(),
                   request.getSignature());
    }
  }
  if (all) {
    auto sig = block.getSignature();
    cache.addVerifiedBlock(blockIdOf(block), sig.begin(), sig.size());
  }
  return all;
}

}  // namespace pot
