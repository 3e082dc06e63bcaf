// The re-signing adversary: recompute derived fields and signatures after an edit.
#include "tests/resign/resign.h"

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/declaration.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"

namespace pot::resign {
namespace {

template <typename B>
void setSignature(B msg, const Bytes& sig) {
  msg.setSignature(kj::arrayPtr(sig.data(), sig.size()));
}

// The key of a 32-byte public-key field, if the adversary holds it.
const SigningKey* keyOf(const Keyring& keys, capnp::Data::Reader field) {
  if (field.size() != 32) return nullptr;
  return keys.find(hashFrom(field));
}

}  // namespace

BlockEdit::BlockEdit(const Bytes& bytes) {
  auto m = decodeMessage(bytes);
  if (m && (*m)->kind() == schema::Envelope::BLOCK) mb_.setRoot((*m)->envelope());
}

void reseal(const ChainView& chain, BlockEdit& edit, const Keyring& keys, Keep keep) {
  auto body = edit.body();
  auto header = edit.header();
  // Declarations: commitment from the header's rho, then the signature.
  for (auto td : body.getDeclarations()) {
    auto b = td.getBody();
    if (!keep.commitments && header.getRho().size() == 32 && b.getRand().size() == 32)
      b.setCommitment(dataOf(commitmentOf(hashFrom(header.getRho()), hashFrom(b.getRand()))));
    if (auto* k = keyOf(keys, b.getPubkey()))
      setSignature(td, signBody(*k, Domain::kDeclaration, b.asReader()));
  }
  // Header: the ids of the block's declarations, in order, then its signature.
  if (!keep.headerIds) {
    auto tds = body.getDeclarations();
    auto ids = header.initDeclarations(tds.size());
    for (uint32_t i = 0; i < tds.size(); ++i)
      ids.set(i, dataOf(messageId(Domain::kDeclaration, tds[i].getBody().asReader())));
  }
  if (auto* k = keyOf(keys, header.getPubkey()))
    setSignature(body.getHeader(), signBody(*k, Domain::kHeader, header.asReader()));
  // Stakeholders drawn for this header; endorsement k by stakeholder k.
  if (!keep.stakeholders) {
    auto drawn = stakeholdersOf(chain, body.getHeader().asReader());
    if (drawn && !drawn->empty()) {
      const Hash256 hid = headerIdOf(body.getHeader().asReader());
      bool held = true;
      for (auto& pk : *drawn) held = held && keys.find(pk);
      if (held) {
        auto sigs = body.initStakeholderSignatures(static_cast<unsigned>(drawn->size() - 1));
        for (uint32_t i = 0; i + 1 < drawn->size(); ++i) {
          auto m = decodeMessage(signStakeholder(*keys.find((*drawn)[i]), hid, i + 1));
          if (m) sigs.setWithCaveats(i, (*m)->envelope().getStakeholderSignature());
        }
        body.setWrapper(dataOf(drawn->back()));
      }
    }
  }
  if (!keep.coinbase) {
    auto cb = expectedCoinbase(chain, edit.block().asReader());
    if (cb) {
      auto list = body.initCoinbase(static_cast<unsigned>(cb->size()));
      for (size_t i = 0; i < cb->size(); ++i) {
        list[i].setTo(dataOf((*cb)[i].to));
        list[i].setAmount((*cb)[i].amount);
        list[i].setKind((*cb)[i].kind);
      }
    }
  }
  if (auto* k = keyOf(keys, body.getWrapper()))
    setSignature(edit.block(), signBody(*k, Domain::kBlock, body.asReader()));
}

}  // namespace pot::resign
