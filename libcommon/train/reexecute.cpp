// Re-executing a block's stage through the training library (docs/protocol.md, "Auditing a block").
// Built only into tools that link pot::train; no torch types appear here.
#include "libcommon/train/reexecute.h"

#include "libcommon/core/data_field.h"
#include "libcommon/core/fileio.h"
#include "libcommon/train/train.h"
#include "libcommon/train/training_secret.h"

namespace pot {
namespace {

std::string objectPath(const std::string& repo, const Hash256& h) {
  return repo + "/objects/" + h.hex();
}

}  // namespace

ValidationResult reexecuteStage(const ChainView& chain, const Message& block,
                                const std::string& repo, int argc, char** argv) {
  auto header = block.envelope().getBlock().getBody().getHeader().getBody();
  const Hash256 parent = hashFrom(header.getParent());
  const LedgerReader* state = chain.stateAt(parent);
  if (!state)
    return reject(RejectReason::kNoParentState, "no ledger state for parent " + parent.hex(),
                  Verdict::kError);
  auto model = state->model(hashFrom(header.getModelId()));
  if (!model)
    return reject(RejectReason::kUnknownModel, "model is not registered", Verdict::kInvalid);
  auto file = state->request(model->modelId);
  if (!file)
    return reject(RejectReason::kReexecuteError, "no stored request of the model", Verdict::kError);
  auto request = decodeMessage(*file);
  if (!request)
    return reject(RejectReason::kReexecuteError, "stored request: " + request.status().message(),
                  Verdict::kError);
  auto body = (*request)->envelope().getTrainingRequest().getBody();
  const uint32_t stage = header.getStage();
  Status s = enforceComputeProfile(body.getProfile().getName().cStr(), argc, argv);
  if (!s)
    return reject(RejectReason::kReexecuteError, "compute profile: " + s.message(),
                  Verdict::kError);

  // S_{i-1}: the chain's record of the previous stage, by hash.
  auto statePath = objectPath(repo, model->lastStateHash);
  auto prev = readMessage(statePath, schema::Envelope::MODEL_STATE);
  if (!prev)
    return reject(RejectReason::kReexecuteError,
                  "S_" + std::to_string(stage - 1) + ": " + prev.status().message(),
                  Verdict::kError);
  if ((*prev)->fileHash() != model->lastStateHash)
    return reject(RejectReason::kReexecuteError,
                  "repository object '" + statePath + "' does not match its hash", Verdict::kError);
  auto batchHash =
      hashFrom(body.getStageBatches()[stageBatchIndex(stage, body.getStageBatches().size())]);
  auto batch = readMessage(objectPath(repo, batchHash), schema::Envelope::STAGE_BATCH);
  if (!batch)
    return reject(RejectReason::kReexecuteError,
                  "B_" + std::to_string(stage) + ": " + batch.status().message(), Verdict::kError);
  Bytes module;
  const Bytes* modulePtr = nullptr;
  if (body.getArchitecture().isTorchScript()) {
    auto m =
        readFile(objectPath(repo, hashFrom(body.getArchitecture().getTorchScript())), 1ull << 30);
    if (!m)
      return reject(RejectReason::kReexecuteError, "module: " + m.status().message(),
                    Verdict::kError);
    module = std::move(*m);
    modulePtr = &module;
  }
  auto outcome = runStageWithModule(**request, **prev, **batch, stage, modulePtr);
  if (!outcome)
    return reject(RejectReason::kReexecuteError,
                  "stage " + std::to_string(stage) + ": " + outcome.status().message(),
                  Verdict::kError);
  const bool rhoOk = outcome->rho == hashFrom(header.getRho());
  const bool stateOk = outcome->stateHash == hashFrom(header.getStateHash());
  if (!rhoOk || !stateOk)
    return reject(RejectReason::kReexecuteMismatch,
                  std::string("re-running stage ") + std::to_string(stage) + " gives " +
                      (rhoOk ? "" : "rho " + outcome->rho.hex() + " ") +
                      (stateOk ? "" : "state " + outcome->stateHash.hex() + " ") +
                      "unlike the header");
  // A header that commits to a loss trace commits to the re-run's losses,
  // sample for sample: a trace that does not hash to it is a false record.
  auto traceHash = header.getLossTraceHash();
  if (traceHash.size() == 32) {
    const Hash256 rerun =
        sha256(encodeLossTrace(hashFrom(header.getModelId()), stage, outcome->losses));
    if (rerun != hashFrom(traceHash))
      return reject(RejectReason::kReexecuteMismatch,
                    "re-running stage " + std::to_string(stage) + " gives loss trace " +
                        rerun.hex() + ", the header commits to " + hashFrom(traceHash).hex());
  }
  return ValidationResult{};
}

}  // namespace pot
