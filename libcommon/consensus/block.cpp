// Block identities and what a block must carry (docs/protocol.md, "Proof of activity"): its
// stakeholders and its coinbase, derived from the chain.
#include "libcommon/consensus/block.h"

#include <capnp/message.h>

#include <map>
#include <set>

#include "libcommon/consensus/poa.h"
#include "libcommon/consensus/pos.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/signatures.h"

namespace pot {
Hash256 blockIdOf(schema::Block::Reader block) {
  return messageId(Domain::kBlock, block.getBody());
}
Hash256 headerIdOf(schema::BlockHeader::Reader header) {
  return messageId(Domain::kHeader, header.getBody());
}

Bytes signStakeholder(const SigningKey& key, const Hash256& headerId, uint32_t index) {
  capnp::MallocMessageBuilder mb;
  auto s = mb.initRoot<schema::Envelope>().initStakeholderSignature();
  auto b = s.initBody();
  b.setHeaderId(dataOf(headerId));
  b.setIndex(index);
  b.setPubkey(dataOf(key.publicKey()));
  Bytes sig = signBody(key, Domain::kStakeSig, b.asReader());
  s.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return encodeMessage(mb.getRoot<schema::Envelope>().asReader());
}

Result<std::vector<PublicKey>> stakeholdersOf(const ChainView& chain,
                                              schema::BlockHeader::Reader header) {
  const Hash256 parent = hashFrom(header.getBody().getParent());
  const LedgerReader* state = chain.stateAt(parent);
  if (!state) {
    if (!chain.blockInfo(parent)) return Status::invalid("unknown parent " + parent.hex());
    return Status::io("no ledger state for block " + parent.hex());
  }
  return followTheCoin(*state, kernelOf(header), chain.params().stakeholders);
}

Result<std::vector<Payout>> expectedCoinbase(const ChainView& chain, schema::Block::Reader block) {
  auto body = block.getBody();
  auto header = body.getHeader().getBody();
  const Hash256 parent = hashFrom(header.getParent());
  const LedgerReader* state = chain.stateAt(parent);
  if (!state) return Status::io("no ledger state for block " + parent.hex());
  auto model = state->model(hashFrom(header.getModelId()));
  if (!model)
    return Status::invalid("model " + hashFrom(header.getModelId()).hex() + " is not registered");
  CoinbaseInputs in = coinbaseInputsOf(body);
  auto escrow = state->account(model->escrow);
  in.escrowBalance = escrow ? escrow->balance : 0;
  in.feePerStage = model->feePerStage;
  for (auto tx : body.getTransactions()) {
    if (in.transactionFees + tx.getBody().getFee() < in.transactionFees)
      return Status::invalid("transaction fees overflow");
    in.transactionFees += tx.getBody().getFee();
  }
  return computeCoinbase(chain.params(), in);
}

}  // namespace pot
