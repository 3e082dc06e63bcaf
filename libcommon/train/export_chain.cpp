// A model's stage from the best chain and the repository, and an export checked against the
// header that recorded it (DESIGN 4.7).
#include "libcommon/train/export_chain.h"

#include <string>

#include "libcommon/consensus/ledger.h"

namespace pot {
namespace {

// "stages 1-4" or "stages 1, 3-4" for errors: which stages the chain does record.
std::string recordedList(const std::vector<RecordedStage>& stages) {
  if (stages.empty()) return "it records no stage of this model";
  std::string out;
  size_t i = 0;
  while (i < stages.size()) {
    size_t j = i;
    while (j + 1 < stages.size() && stages[j + 1].stage == stages[j].stage + 1) ++j;
    if (!out.empty()) out += ", ";
    out += std::to_string(stages[i].stage);
    if (j > i) out += "-" + std::to_string(stages[j].stage);
    i = j + 1;
  }
  return "it records " + std::string(stages.size() == 1 ? "stage " : "stages ") + out;
}

std::optional<std::string> metadata(const SafetensorsFile& file, const char* key) {
  auto it = file.metadata.find(key);
  if (it == file.metadata.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<ModelRecord> chainModel(const ChainView& chain, const Hash256& modelId) {
  const LedgerReader* ledger = chain.stateAt(chain.tip().id);
  if (!ledger) return Status::io("the chain cannot give the ledger state at its tip");
  auto model = ledger->model(modelId);
  if (!model)
    return Status::invalid("model " + modelId.hex() + " is not registered on the best chain");
  return std::move(*model);
}

Result<MessagePtr> chainRequest(const ChainView& chain, const Hash256& modelId) {
  auto model = chainModel(chain, modelId);
  if (!model) return model.status();
  auto file = chain.stateAt(chain.tip().id)->request(modelId);
  if (!file) return Status::io("the chain holds no request of model " + modelId.hex());
  auto request = decodeMessage(*file);
  if (!request) return request.status().withContext("the chain's request of the model");
  POT_TRY(expectKind(**request, schema::Envelope::TRAINING_REQUEST, "the chain's request"));
  return request;
}

Result<RecordedStage> chainStage(const ChainView& chain, const Hash256& modelId,
                                 std::optional<uint32_t> stage) {
  auto stages = recordedStages(chain, modelId);
  if (!stages) return stages.status();
  if (!stage) {
    if (stages->empty())
      return Status::invalid("model " + modelId.hex().substr(0, 16) +
                             " has no stage on the best chain");
    return stages->back();
  }
  // A stage recorded twice cannot happen on one chain (each header advances
  // the model by one); the last is the one the ledger followed.
  for (auto it = stages->rbegin(); it != stages->rend(); ++it)
    if (it->stage == *stage) return *it;
  return Status::invalid("stage " + std::to_string(*stage) + " of model " +
                         modelId.hex().substr(0, 16) + " is not on the best chain (" +
                         recordedList(*stages) + ")");
}

Result<MessagePtr> fetchObjectMessage(const ObjectSource& objects, const Hash256& hash,
                                      schema::Envelope::Which kind, const std::string& what) {
  const std::string name = what + " " + hash.hex();
  auto bytes = objects(hash);
  if (!bytes) return bytes.status().withContext(name);
  if (sha256(*bytes) != hash) return Status::invalid(name + ": the object does not match its hash");
  auto m = decodeMessage(std::move(*bytes));
  if (!m) return m.status().withContext(name);
  if ((*m)->kind() != kind)
    return Status::malformed(name + ": expected a " + kindName(kind) + ", got a " +
                             kindName((*m)->kind()));
  return m;
}

Result<ChainState> chainState(const ChainView& chain, const Hash256& modelId,
                              std::optional<uint32_t> stage, const ObjectSource& objects) {
  ChainState out;
  auto request = chainRequest(chain, modelId);
  if (!request) return request.status();
  out.request = std::move(*request);
  auto recorded = chainStage(chain, modelId, stage);
  if (!recorded) return recorded.status();
  out.recorded = *recorded;
  auto state = fetchObjectMessage(objects, recorded->stateHash, schema::Envelope::MODEL_STATE,
                                  "S_" + std::to_string(recorded->stage));
  if (!state) return state.status();
  out.state = std::move(*state);
  auto transform = readInputTransform(out.request->envelope().getTrainingRequest().getBody());
  if (!transform) return transform.status().withContext("the chain's request of the model");
  out.provenance.modelId = modelId;
  out.provenance.blockId = recorded->block;
  out.provenance.height = recorded->height;
  out.provenance.transform = std::move(*transform);
  return out;
}

Result<ChainVerdict> verifyAgainstChain(const ChainView& chain, const SafetensorsFile& file,
                                        std::optional<Hash256> modelId,
                                        std::optional<uint32_t> stage) {
  auto state = stateFromExport(file);
  if (!state) return state.status();
  if (!modelId) {
    auto claim = metadata(file, "modelId");
    if (claim) modelId = Hash256::fromHex(*claim);
    if (!modelId) return Status::invalid("the export names no model id: give the model (--model)");
  }
  if (!stage) {
    // stateFromExport has checked the stage is a number.
    auto claim = metadata(file, "stage");
    if (!claim) return Status::invalid("the export names no stage: give it (--stage)");
    stage = static_cast<uint32_t>(std::stoul(*claim));
  }
  auto recorded = chainStage(chain, *modelId, stage);
  if (!recorded) return recorded.status();
  return ChainVerdict{sha256(state->data(), state->size()), *recorded};
}

}  // namespace pot
