// pot-train-stage's run and check, from the command's paths to the report.
#include "libcommon/train/stage_command.h"

#include <capnp/message.h>

#include <vector>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/message_io.h"
#include "libcommon/train/profile.h"
#include "libcommon/train/stage_audit.h"
#include "libcommon/train/train.h"
#include "libcommon/train/training_secret.h"

namespace pot {
namespace {

using W = schema::Envelope;

std::string objectPath(const std::string& repo, const uint8_t* hash, size_t size) {
  return repo + "/objects/" + toHex(hash, size);
}

bool hasClaims(const StageCommand& c) {
  return c.expectRho || c.expectState || !c.headerPath.empty() || !c.tracePath.empty();
}

}  // namespace

Status checkStageCommand(const StageCommand& c) {
  if (c.stage == 0) return Status::usage("--stage N is required (1-based)");
  if (c.requestPath.empty() && c.repo.empty())
    return Status::usage("give --request FILE or --repo DIR");
  if (!c.check && hasClaims(c))
    return Status::usage("--expect-rho, --expect-state, --header and --trace need --check");
  if (c.check && !hasClaims(c))
    return Status::usage("--check needs --expect-rho, --expect-state, --header or --trace");
  return Status::ok();
}

Status runStageCommand(const StageCommand& c, int argc, char** argv, std::ostream& out,
                       std::ostream& err) {
  POT_TRY(checkStageCommand(c));
  const uint32_t stage = c.stage;
  const bool worker = !c.servedProfile.empty();
  for (const std::string* in : {&c.requestPath, &c.statePath, &c.batchPath, &c.modulePath,
                                &c.headerPath, &c.tracePath, &c.outputPath, &c.lossTracePath})
    if (*in == "-") {
      if (worker)
        return Status::usage(
            "a stage worker's jobs cannot use '-' (its standard input and output "
            "carry the jobs and answers)");
      if (in == &c.outputPath || in == &c.lossTracePath) continue;
      POT_TRY(keepStdinAcrossReexec());
      break;
    }
  auto request =
      readMessage(c.requestPath.empty() ? c.repo + "/request" : c.requestPath, W::TRAINING_REQUEST);
  if (!request) return request.status();
  auto body = (*request)->envelope().getTrainingRequest().getBody();
  auto spec = checkRequestProfile(body.getProfile());
  if (!spec) return spec.status();
  auto batches = body.getStageBatches();
  if (stage < 1 || batches.size() == 0)
    return Status::invalid("stage " + std::to_string(stage) + " is out of range: the request has " +
                           std::to_string(batches.size()) + " stages");
  if (worker && spec->name != c.servedProfile)
    return Status::usage("this stage worker runs compute profile '" + c.servedProfile +
                         "', the request needs '" + spec->name + "' (start a worker for it)");
  // Before the big inputs are read: the profile may re-execute this process. A worker put its
  // profile into effect when it started.
  if (!worker) POT_TRY(enforceComputeProfile(spec->name, argc, argv));

  // Claims are read before any work so bad input fails fast.
  StageClaim claim;
  claim.rho = c.expectRho;
  claim.stateHash = c.expectState;
  Hash256 modelId = messageId(Domain::kRequest, body);
  if (!c.headerPath.empty()) {
    auto header = readMessage(c.headerPath, W::BLOCK_HEADER);
    if (!header) return header.status();
    auto hb = (*header)->envelope().getBlockHeader().getBody();
    auto mid = Hash256::fromBytes(hb.getModelId().begin(), hb.getModelId().size());
    if (!mid || *mid != modelId)
      return Status::invalid("the header is for another model than this request");
    if (hb.getStage() != stage)
      return Status::invalid("the header is for stage " + std::to_string(hb.getStage()) +
                             ", not stage " + std::to_string(stage));
    claim.rho = Hash256::fromBytes(hb.getRho().begin(), hb.getRho().size());
    claim.stateHash = Hash256::fromBytes(hb.getStateHash().begin(), hb.getStateHash().size());
    if (!claim.rho || !claim.stateHash)
      return Status::malformed("the header's rho or stateHash is not 32 bytes");
  }
  if (!c.tracePath.empty()) {
    auto t = readMessage(c.tracePath, W::LOSS_TRACE);
    if (!t) return t.status();
    auto lt = (*t)->envelope().getLossTrace();
    // A trace of another stage cannot locate a divergence in this one.
    // (Its model id is the claimant's word, so it is not relied on.)
    if (lt.getStage() != stage)
      return Status::invalid("the loss trace is not of stage " + std::to_string(stage) +
                             " (it says stage " + std::to_string(lt.getStage()) + ")");
    claim.losses.emplace();
    for (float l : lt.getLosses()) claim.losses->push_back(l);
  }

  std::string sPath = c.statePath, bPath = c.batchPath, mPath = c.modulePath;
  if (sPath.empty()) {
    if (c.repo.empty() || stage != 1)
      return Status::usage("give --state FILE (S_" + std::to_string(stage - 1) + ")");
    sPath = objectPath(c.repo, body.getInitialState().begin(), body.getInitialState().size());
  }
  if (bPath.empty()) {
    if (c.repo.empty()) return Status::usage("give --batch FILE or --repo DIR");
    auto want = batches[stageBatchIndex(stage, batches.size())];
    bPath = objectPath(c.repo, want.begin(), want.size());
  }
  auto arch = body.getArchitecture();
  Bytes module;
  if (arch.isTorchScript()) {
    if (mPath.empty()) {
      if (c.repo.empty())
        return Status::usage(
            "the request's architecture is a TorchScript module: give --module FILE or --repo "
            "DIR");
      mPath = objectPath(c.repo, arch.getTorchScript().begin(), arch.getTorchScript().size());
    }
    auto m = readFile(mPath, 1ull << 30);
    if (!m) return m.status();
    module = std::move(*m);
  }
  auto state = readMessage(sPath, W::MODEL_STATE);
  if (!state) return state.status();
  auto batch = readMessage(bPath, W::STAGE_BATCH);
  if (!batch) return batch.status();

  const char* tool = "pot-train-stage";
  bool showProgress = !c.quiet && isTerminal(2);
  auto outcome = runStageWithProgress(
      **request, **state, **batch, stage, arch.isTorchScript() ? &module : nullptr,
      [&](uint64_t done, uint64_t total) {
        if (!showProgress) return;
        err << "\r" << tool << ": stage " << stage << " (" << spec->name << "): " << done << "/"
            << total << " samples" << std::flush;
      });
  if (showProgress)
    err << "\r" << tool << ": stage " << stage << " done" << std::string(30, ' ') << "\n";
  if (!outcome) return outcome.status();

  if (!c.lossTracePath.empty()) {
    POT_TRY(writeOutput(c.lossTracePath, encodeLossTrace(modelId, stage, outcome->losses), true));
  }
  if (!c.outputPath.empty()) POT_TRY(writeOutput(c.outputPath, outcome->nextState, true));
  std::ostream& report = c.outputPath == "-" ? err : out;

  StageRecomputed recomputed{outcome->rho, outcome->stateHash, std::move(outcome->losses)};
  if (!c.check) {
    report << stageRunReport(stage, recomputed, c.json);
    return Status::ok();
  }
  std::vector<uint32_t> sources;
  for (auto s : (*batch)->envelope().getStageBatch().getSourceIndices()) sources.push_back(s);
  StageVerdict verdict = judgeStage(recomputed, claim, sources);
  report << stageCheckReport(stage, recomputed, verdict, c.json);
  return stageVerdictStatus(stage, verdict);
}

}  // namespace pot
