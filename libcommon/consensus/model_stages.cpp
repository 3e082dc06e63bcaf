// Walking the best chain for a model's stages, and the seeded choice of stages to audit.
#include "libcommon/consensus/model_stages.h"

#include <kj/exception.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "libcommon/core/coding.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/message_io.h"

namespace pot {

Result<std::vector<BlockInfo>> bestChainBlocks(const ChainView& chain) {
  std::vector<BlockInfo> out;
  BlockInfo at = chain.tip();
  while (at.height > 0) {
    out.push_back(at);
    auto parent = chain.blockInfo(at.parent);
    if (!parent)
      return Status::io("the chain lacks block " + at.parent.hex() + ", parent of " + at.id.hex());
    at = *parent;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Status forEachRecordedStage(const ChainView& chain, const std::vector<BlockInfo>& blocks,
                            const Hash256& modelId, const RecordedStageFn& fn) {
  for (const BlockInfo& info : blocks) {
    auto bytes = chain.blockBytes(info.id);
    if (!bytes) return Status::io("the chain cannot give block " + info.id.hex());
    // The view's blocks passed decodeMessage's canonical checks when they
    // were accepted, and their verdict cannot have changed.
    auto message = openStoredMessage(std::move(*bytes));
    if (!message)
      return Status::malformed("stored block " + info.id.hex() +
                               " is not one framed message: " + message.status().message());
    RecordedStage r;
    // capnp reports a damaged pointer by exception: a stored block that does
    // not read is malformed, as one that does not decode.
    try {
      auto envelope = (*message)->envelope();
      if (envelope.which() != schema::Envelope::BLOCK)
        return Status::malformed("stored block " + info.id.hex() + " is not a block");
      auto h = envelope.getBlock().getBody().getHeader().getBody();
      if (h.getModelId().size() != 32 || hashFrom(h.getModelId()) != modelId) continue;
      if (h.getRho().size() != 32 || h.getStateHash().size() != 32)
        return Status::malformed("block " + info.id.hex() + ": rho or stateHash is not 32 bytes");
      r.height = info.height;
      r.block = info.id;
      r.stage = h.getStage();
      r.rho = hashFrom(h.getRho());
      r.stateHash = hashFrom(h.getStateHash());
      if (h.getLossTraceHash().size() == 32) r.lossTraceHash = hashFrom(h.getLossTraceHash());
      POT_TRY(fn(r, info, envelope.getBlock()));
    } catch (const kj::Exception& e) {
      return Status::malformed("stored block " + info.id.hex() +
                               " does not read: " + e.getDescription().cStr());
    }
  }
  return Status::ok();
}

Result<std::vector<RecordedStage>> recordedStages(const ChainView& chain, const Hash256& modelId) {
  auto blocks = bestChainBlocks(chain);
  if (!blocks) return blocks.status();
  std::vector<RecordedStage> out;
  POT_TRY(
      forEachRecordedStage(chain, *blocks, modelId,
                           [&out](const RecordedStage& r, const BlockInfo&, schema::Block::Reader) {
                             out.push_back(r);
                             return Status::ok();
                           }));
  return out;
}

Result<StageRange> parseStageRange(const std::string& text) {
  auto number = [](const std::string& s) -> std::optional<uint32_t> {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    return static_cast<uint32_t>(std::stoul(s));
  };
  const auto dash = text.find('-');
  auto first = number(text.substr(0, dash));
  auto last = dash == std::string::npos ? first : number(text.substr(dash + 1));
  if (!first || !last || *first == 0 || *first > *last)
    return Status::usage("--stages: '" + text + "' is not A-B with 1 <= A <= B");
  return StageRange{*first, *last};
}

std::vector<uint32_t> sampleStages(const std::vector<uint32_t>& stages, double fraction,
                                   uint64_t seed) {
  std::vector<std::pair<Hash256, uint32_t>> ranked;
  for (uint32_t stage : stages) {
    uint8_t key[12];
    coding::putLe64(key, seed);
    coding::putLe32(key + 8, stage);
    ranked.emplace_back(sha256(key, sizeof key), stage);
  }
  std::sort(ranked.begin(), ranked.end());
  size_t take = static_cast<size_t>(std::ceil(fraction * static_cast<double>(stages.size())));
  take = std::clamp<size_t>(take, stages.empty() ? 0 : 1, stages.size());
  std::vector<uint32_t> out;
  for (size_t i = 0; i < take; ++i) out.push_back(ranked[i].second);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace pot
