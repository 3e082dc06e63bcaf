// Every signature a block carries, checked once before validation, with the ids their signing
// payloads hash to: bulk import checks a batch's blocks on all cores, then validates them in
// order without verifying or hashing any of them again.
#pragma once

#include <vector>

#include "libcommon/core/crypto.h"
#include "schemas/pot.capnp.h"

namespace pot {

// What checkWrapper and checkOtherSignatures found. Each id is the hash of
// the payload its signature signs (messageId), so one canonical encoding
// serves both. Which signatures a block needs, in what order they are
// judged and with which reject code stays validateBlock's alone: a failed
// check here only means validation checks that signature itself.
struct BlockSignatures {
  Hash256 blockId;                      // messageId(kBlock, body)
  bool wrapperVerified = false;         // the wrapper's signature over blockId's payload
  bool othersChecked = false;           // the fields below are filled
  Hash256 headerId;                     // messageId(kHeader, header body)
  std::vector<Hash256> declarationIds;  // messageId(kDeclaration, ...), in block order
  bool allVerified = false;             // every signature, the wrapper's included
};

// The block's id and its wrapper's signature (a 32-byte wrapper key only).
BlockSignatures checkWrapper(schema::Block::Reader block);

// Every other signature whose key field is 32 bytes: the header's, each
// declaration's, each stakeholder signature's, each transaction's and each
// registered request's; fills the header and declaration ids and sets
// allVerified when the wrapper's and all of these verified.
void checkOtherSignatures(schema::Block::Reader block, BlockSignatures& checked);

}  // namespace pot
