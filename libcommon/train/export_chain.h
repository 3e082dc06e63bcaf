// A model's stage as the best chain recorded it, for export and its check (DESIGN 4.7): the
// request the chain registered, the header that recorded H(S_i), the state from the repository.
#pragma once

#include <optional>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/model_stages.h"
#include "libcommon/core/message_io.h"
#include "libcommon/train/audit.h"
#include "libcommon/train/export.h"

namespace pot {

// The model's record in the best chain's ledger (its request, registration
// height, fee, stages). Invalid (1) when the model is not registered on the
// best chain; an I/O error (4) when the view cannot give the ledger at its tip.
Result<ModelRecord> chainModel(const ChainView& chain, const Hash256& modelId);

// The model's training request as the best chain's ledger holds it. Invalid
// (1) when the model is not registered on the best chain; an I/O error (4)
// when the view cannot give the ledger at its tip.
Result<MessagePtr> chainRequest(const ChainView& chain, const Hash256& modelId);

// The header of the best chain that recorded `stage` of the model, or of its
// latest stage when `stage` is empty. Invalid (1) when the chain records no
// such stage (or none at all), naming the stages it does record.
Result<RecordedStage> chainStage(const ChainView& chain, const Hash256& modelId,
                                 std::optional<uint32_t> stage);

// An object by its hash from `objects`, re-hashed here whatever the source
// promises, and decoded as `kind`; `what` names it in errors ("S_3").
// Invalid (1) for bytes that do not match the hash, malformed (3) for
// another kind of message.
Result<MessagePtr> fetchObjectMessage(const ObjectSource& objects, const Hash256& hash,
                                      schema::Envelope::Which kind, const std::string& what);

// A stage of a model taken from the chain: the state S_i (checked against
// the H(S_i) the header recorded) and the provenance an export records:
// model id, block id and height of that header, the request's transform.
struct ChainState {
  RecordedStage recorded;
  MessagePtr request;
  MessagePtr state;
  ExportProvenance provenance;
};
Result<ChainState> chainState(const ChainView& chain, const Hash256& modelId,
                              std::optional<uint32_t> stage, const ObjectSource& objects);

// --verify against the chain: the H(S_i) re-derived from an export, and the
// header the chain recorded for the model and stage it claims.
struct ChainVerdict {
  Hash256 derived;
  RecordedStage recorded;
  bool same() const { return derived == recorded.stateHash; }
};
// The model and stage come from `modelId`/`stage` when given, else from the
// file's metadata (modelId, stage); invalid (1) when neither names them, or
// the chain does not record that stage.
Result<ChainVerdict> verifyAgainstChain(const ChainView& chain, const SafetensorsFile& file,
                                        std::optional<Hash256> modelId,
                                        std::optional<uint32_t> stage);

}  // namespace pot
