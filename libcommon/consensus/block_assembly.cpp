// Stakeholder signing and block wrapping: Alg. 2 steps 4-5 (docs/protocol.md, "Proof of
// activity").
#include "libcommon/consensus/block_assembly.h"

#include <capnp/message.h>

#include <map>
#include <set>

#include "libcommon/consensus/poa.h"
#include "libcommon/consensus/pos.h"
#include "libcommon/consensus/validate.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/signatures.h"

namespace pot {

Result<Bytes> assembleBlock(const ChainView& chain, const SigningKey& wrapper,
                            const BlockFields& fields) {
  if (!fields.header) return Status::usage("a block needs a header");
  POT_TRY(expectKind(*fields.header, schema::Envelope::BLOCK_HEADER, "header"));
  auto header = fields.header->envelope().getBlockHeader();
  // Declarations go in the order the header names them (exact-C, DESIGN 5.4).
  std::map<Hash256, const Message*> byId;
  for (const Message* m : fields.declarations) {
    POT_TRY(expectKind(*m, schema::Envelope::TRAINING_DECLARATION, "declaration"));
    byId[messageId(Domain::kDeclaration, m->envelope().getTrainingDeclaration().getBody())] = m;
  }
  std::vector<const Message*> ordered;
  for (auto idData : header.getBody().getDeclarations()) {
    auto it = byId.find(hashFrom(idData));
    if (it == byId.end())
      return Status::invalid("missing declaration " + toHex(idData.begin(), idData.size()) +
                             " named by the header");
    ordered.push_back(it->second);
  }
  std::map<uint32_t, const Message*> sigs;
  for (const Message* m : fields.signatures) {
    POT_TRY(expectKind(*m, schema::Envelope::STAKEHOLDER_SIGNATURE, "stakeholder signature"));
    sigs[m->envelope().getStakeholderSignature().getBody().getIndex()] = m;
  }
  for (const Message* m : fields.transactions)
    POT_TRY(expectKind(*m, schema::Envelope::TRANSACTION, "transaction"));

  capnp::MallocMessageBuilder mb;
  auto blk = mb.initRoot<schema::Envelope>().initBlock();
  auto body = blk.initBody();
  body.setHeader(header);
  auto tds = body.initDeclarations(ordered.size());
  for (size_t i = 0; i < ordered.size(); ++i)
    tds.setWithCaveats(i, ordered[i]->envelope().getTrainingDeclaration());
  auto ss = body.initStakeholderSignatures(sigs.size());
  size_t i = 0;
  for (const auto& [index, m] : sigs)
    ss.setWithCaveats(i++, m->envelope().getStakeholderSignature());
  auto txs = body.initTransactions(fields.transactions.size());
  for (size_t j = 0; j < fields.transactions.size(); ++j)
    txs.setWithCaveats(j, fields.transactions[j]->envelope().getTransaction());
  body.setWrapper(dataOf(wrapper.publicKey()));
  std::vector<Payout> coinbase;
  if (fields.coinbase) {
    coinbase = *fields.coinbase;
  } else {
    auto cb = expectedCoinbase(chain, blk.asReader());
    if (!cb) return cb.status();
    coinbase = *cb;
  }
  auto payouts = body.initCoinbase(coinbase.size());
  for (size_t j = 0; j < coinbase.size(); ++j) {
    payouts[j].setTo(dataOf(coinbase[j].to));
    payouts[j].setAmount(coinbase[j].amount);
    payouts[j].setKind(coinbase[j].kind);
  }
  Bytes sig = signBody(wrapper, Domain::kBlock, body.asReader());
  blk.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return encodeMessage(mb.getRoot<schema::Envelope>().asReader());
}

Result<StakeOutput> stake(const ChainView& chain, const SigningKey& key, const BlockParts& parts) {
  if (!parts.header) return Status::usage("a header is required");
  POT_TRY(expectKind(*parts.header, schema::Envelope::BLOCK_HEADER, "header"));
  if (!hasValidSignature(*parts.header))
    return Status::invalid("bad-header-sig: the header's signature does not verify");
  auto header = parts.header->envelope().getBlockHeader();
  auto drawn = stakeholdersOf(chain, header);
  if (!drawn) return drawn.status();
  const uint32_t k = chain.params().stakeholders;
  const Hash256 headerId = headerIdOf(header);
  const bool isWrapper = (*drawn)[k - 1] == key.publicKey();
  // Given signatures for this header, by index: a key drawn several times
  // signs the lowest index not yet covered, one run each.
  std::set<uint32_t> covered;
  for (const Message* m : parts.signatures)
    if (m->kind() == schema::Envelope::STAKEHOLDER_SIGNATURE) {
      auto b = m->envelope().getStakeholderSignature().getBody();
      if (hashFrom(b.getHeaderId()) == headerId) covered.insert(b.getIndex());
    }
  bool allCovered = true;
  for (uint32_t i = 1; i < k; ++i) allCovered = allCovered && covered.count(i);
  StakeOutput out;
  if (isWrapper && allCovered) {
    BlockFields f{parts.header, parts.declarations, parts.signatures, parts.transactions,
                  std::nullopt};
    auto block = assembleBlock(chain, key, f);
    if (!block) return block.status();
    // Never emit a block this node would itself reject.
    auto verdict = validateBlockBytes(chain, *block, UINT64_MAX);
    if (!verdict.valid())
      return Status::invalid("the assembled block is invalid: " +
                             std::string(rejectName(verdict.reason)) + ": " + verdict.message);
    out.message = std::move(*block);
    out.index = k;
    out.isBlock = true;
    return out;
  }
  for (uint32_t i = 1; i < k; ++i) {
    if ((*drawn)[i - 1] == key.publicKey() && !covered.count(i)) {
      out.message = signStakeholder(key, headerId, i);
      out.index = i;
      return out;
    }
  }
  if (isWrapper)
    return Status::invalid("key is stakeholder " + std::to_string(k) + " (the wrapper) but only " +
                           std::to_string(covered.size()) + " of " + std::to_string(k - 1) +
                           " stakeholder signatures were given");
  return Status::invalid("key " + key.publicKey().hex() + " is not a stakeholder of header " +
                         headerId.hex());
}

}  // namespace pot
