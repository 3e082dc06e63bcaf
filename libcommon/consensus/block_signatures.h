// Every signature a block carries, checked ahead of validation into a SignatureCache (bulk import
// checks a batch's signatures on all cores, then validates the blocks in order).
#pragma once

#include "libcommon/core/signature_cache.h"
#include "schemas/pot.capnp.h"

namespace pot {

// Verifies into `cache` each signature of `block` whose key field is 32
// bytes: the header's, each declaration's, each stakeholder signature's,
// the wrapper's, each transaction's and each registered request's. Which
// signatures a block needs, in what order they are judged and with which
// reject code stays validateBlock's alone: this only fills the cache it
// asks, and a signature that does not verify here is simply not in it.
// When every one verified, the block itself is marked verified in the
// cache (addVerifiedBlock), so validation asks none of them one by one.
// `withWrapper` false leaves out the wrapper's, for a caller that has just
// checked it into the cache (the chain store checks it first of all).
// True when every signature verified.
bool verifyBlockSignatures(schema::Block::Reader block, SignatureCache& cache,
                           bool withWrapper = true);

}  // namespace pot
