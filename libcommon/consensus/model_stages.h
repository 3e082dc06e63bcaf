// A model's stages as the best chain recorded them, and the auditor's choice of stages
// (DESIGN 4.8).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/chain_view.h"

namespace pot {

// One stage of a model as a block header on the best chain recorded it.
struct RecordedStage {
  uint64_t height = 0;
  Hash256 block;  // the id of the block that carries the header
  uint32_t stage = 0;
  Hash256 rho;
  Hash256 stateHash;                     // H(S_stage)
  std::optional<Hash256> lossTraceHash;  // when the trainer published its trace
};

// The best chain's blocks from height 1 to the tip, in height order (the
// genesis is left out: it records no stage).
Result<std::vector<BlockInfo>> bestChainBlocks(const ChainView& chain);

// Called once per block of `blocks` that recorded a stage of the model, in
// height order, with the stage as the header records it and the block for
// readers that show more of it (declarers, rewards); the reader is valid
// during the call only. A failure stops the walk and is returned.
using RecordedStageFn = std::function<Status(const RecordedStage& stage, const BlockInfo& info,
                                             schema::Block::Reader block)>;

// The one walk over a model's blocks that pot-audit, pot-evaluate,
// pot-export and pot-report share: each of `blocks` (bestChainBlocks) read
// and decoded once. A view that cannot give a block's file is an I/O error
// (4); a stored block that does not decode is malformed (3).
Status forEachRecordedStage(const ChainView& chain, const std::vector<BlockInfo>& blocks,
                            const Hash256& modelId, const RecordedStageFn& fn);

// Every stage of `modelId` on the best chain, in height order (the walk
// above, collected).
Result<std::vector<RecordedStage>> recordedStages(const ChainView& chain, const Hash256& modelId);

// "A-B" or "A" (stages, 1-based, A <= B); anything else is a usage error.
struct StageRange {
  uint32_t first = 1;
  uint32_t last = 1;
};
Result<StageRange> parseStageRange(const std::string& text);

// The auditor's sample: ceil(fraction * n) of `stages` (at least one when
// fraction > 0), those with the smallest SHA-256(le64(seed) || le32(stage)),
// returned in ascending order. The trainer cannot know the seed, so cannot
// know which stages will be checked; the same seed always picks the same
// stages. `fraction` must be in (0, 1].
std::vector<uint32_t> sampleStages(const std::vector<uint32_t>& stages, double fraction,
                                   uint64_t seed);

}  // namespace pot
