// Blocks (DESIGN 5.5, 5.6): identities, stakeholder endorsements, the stakeholders and coinbase a
// block must carry.
#pragma once

#include <vector>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/rewards.h"

namespace pot {

// messageId(pot/v1/block, block.body): also what a child's `parent` names.
Hash256 blockIdOf(schema::Block::Reader block);
Hash256 headerIdOf(schema::BlockHeader::Reader header);

// Stakeholder k's endorsement of a header.
Bytes signStakeholder(const SigningKey& key, const Hash256& headerId, uint32_t index);

// The K stakeholders of a header, drawn on its parent's state.
Result<std::vector<PublicKey>> stakeholdersOf(const ChainView& chain,
                                              schema::BlockHeader::Reader header);

// The coinbase a block with this header, these declarations, signers and
// transaction fees must carry (DESIGN 5.6).
Result<std::vector<Payout>> expectedCoinbase(const ChainView& chain, schema::Block::Reader block);

}  // namespace pot
