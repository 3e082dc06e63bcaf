// Training losses of stages without a published trace: the stage re-run here, and kept only
// when the run gives the header's rho and H(S_i).
#include <map>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/data_field.h"
#include "libcommon/train/export_chain.h"
#include "libcommon/train/stage_losses.h"
#include "libcommon/train/train.h"

namespace pot {
Status rerunMissingLosses(const Message& request, const std::vector<RecordedStage>& stages,
                          const ObjectSource& objects, std::vector<StageLoss>& losses, int argc,
                          char** argv) {
  if (!anyLossMissing(losses)) return Status::ok();
  auto body = request.envelope().getTrainingRequest().getBody();
  POT_TRY(enforceComputeProfile(body.getProfile().getName().cStr(), argc, argv));
  std::map<uint32_t, Hash256> stateBefore;
  stateBefore[1] = hashFrom(body.getInitialState());
  for (const auto& r : stages) stateBefore[r.stage + 1] = r.stateHash;
  const auto batches = body.getStageBatches();
  Bytes module;
  bool moduleOk = !body.getArchitecture().isTorchScript();
  std::string moduleNote;
  if (!moduleOk) {
    const Hash256 h = hashFrom(body.getArchitecture().getTorchScript());
    auto m = objects(h);
    if (m && sha256(*m) == h) {
      module = std::move(*m);
      moduleOk = true;
    } else {
      moduleNote = "the TorchScript module " + h.hex() + " is not in the repository";
    }
  }
  for (size_t i = 0; i < stages.size() && i < losses.size(); ++i) {
    StageLoss& l = losses[i];
    if (l.mean) continue;
    const RecordedStage& r = stages[i];
    if (!moduleOk) {
      l.note = moduleNote;
      continue;
    }
    auto before = stateBefore.find(r.stage);
    if (before == stateBefore.end() || batches.size() == 0) {
      l.note = "S_" + std::to_string(r.stage - 1) + " is not recorded on the best chain";
      continue;
    }
    auto s = fetchObjectMessage(objects, before->second, schema::Envelope::MODEL_STATE,
                                "S_" + std::to_string(r.stage - 1));
    if (!s) {
      l.note = s.status().message();
      continue;
    }
    auto b =
        fetchObjectMessage(objects, hashFrom(batches[stageBatchIndex(r.stage, batches.size())]),
                           schema::Envelope::STAGE_BATCH, "B_" + std::to_string(r.stage));
    if (!b) {
      l.note = b.status().message();
      continue;
    }
    auto outcome = runStageWithModule(request, **s, **b, r.stage,
                                      body.getArchitecture().isTorchScript() ? &module : nullptr);
    if (!outcome) {
      l.note = "the re-run failed: " + outcome.status().message();
    } else if (outcome->stateHash != r.stateHash || outcome->rho != r.rho) {
      l.note = "the re-run does not give the header's rho and H(S_i) (pot-audit names the stage)";
    } else {
      l.mean = meanLoss(outcome->losses);
      l.source = LossSource::kRerun;
    }
  }
  return Status::ok();
}

}  // namespace pot
