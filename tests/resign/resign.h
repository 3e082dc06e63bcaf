// A re-signing adversary for tests (DESIGN 8), not a product feature: it holds
// private keys, edits a block anywhere and makes every signature, id and
// derived field consistent again, so a validator must judge the block by its
// rules, not by a broken signature.
#pragma once

#include <capnp/message.h>

#include <map>
#include <memory>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/core/crypto.h"
#include "libcommon/core/message_io.h"

namespace pot::resign {

// The keys the adversary holds, by public key (it does not own them).
class Keyring {
 public:
  void add(const SigningKey& key) { keys_[key.publicKey()] = &key; }
  const SigningKey* find(const PublicKey& key) const {
    auto it = keys_.find(key);
    return it == keys_.end() ? nullptr : it->second;
  }

 private:
  std::map<PublicKey, const SigningKey*> keys_;
};

// Derived parts the re-sealer leaves as they are, because the edit under test
// is in them (recomputing would undo it).
struct Keep {
  bool commitments = false;   // declarations' H(rho || rand)
  bool headerIds = false;     // the header's list of declaration ids
  bool stakeholders = false;  // the K-1 endorsements and the wrapper
  bool coinbase = false;
};

// A block being edited: a builder copy of a decoded block.
class BlockEdit {
 public:
  explicit BlockEdit(const Message& block) { mb_.setRoot(block.envelope()); }
  explicit BlockEdit(const Bytes& bytes);
  schema::Block::Builder block() { return mb_.getRoot<schema::Envelope>().getBlock(); }
  schema::Block::Body::Builder body() { return block().getBody(); }
  schema::BlockHeader::Body::Builder header() { return body().getHeader().getBody(); }
  // The framed canonical bytes (encodeMessage: the one byte form).
  Bytes bytes() { return encodeMessage(mb_.getRoot<schema::Envelope>().asReader()); }

 private:
  capnp::MallocMessageBuilder mb_;
};

// Makes the block consistent again after an edit, in the order the parts
// depend on each other: commitments from the header's rho and each rand,
// every declaration's signature, the header's declaration ids (from the
// block's declarations, in their order), the header's signature, the K-1
// stakeholder endorsements and the wrapper drawn for the new header id, the
// coinbase recomputed for the block, and the wrapper's block signature. A
// part whose signer's key is not in `keys`, or whose draw/coinbase cannot be
// computed (the edit broke what it depends on), is left as it is.
void reseal(const ChainView& chain, BlockEdit& edit, const Keyring& keys, Keep keep = {});

}  // namespace pot::resign
