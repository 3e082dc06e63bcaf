// The block transition (DESIGN 5.1, 5.6): a block's effect on the ledger, and its undo.
#pragma once

#include "libcommon/consensus/genesis.h"
#include "libcommon/consensus/ledger.h"

namespace pot {

// Applies a block that passed the stateless checks to `store` (the state of
// its parent). Returns the undo data, or the first state rule it breaks
// (insufficient-balance, bad-nonce, ...) with `failure` filled; `store` is
// then partly written and must be discarded (use an OverlayLedger or an
// aborted transaction). The coinbase applied is the recomputed one.
// `signaturesVerified`: every signature of the block is known to verify
// (validated already, or checked ahead), so a registered request's is not
// verified again.
Result<BlockUndo> applyBlock(LedgerStore& store, schema::Block::Reader block,
                             const ChainParams& params, const Hash256& blockId,
                             Rejection* failure = nullptr, bool signaturesVerified = false);

// Restores the state before the block that produced `undo`.
Status undoBlock(LedgerStore& store, const BlockUndo& undo);

}  // namespace pot
