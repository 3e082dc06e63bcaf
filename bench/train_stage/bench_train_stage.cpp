// Throughput of one stage: the stage function (secret, state file bytes) vs a bare
// libtorch loop vs the PoC-style one optimizer step per sample, same profile, same process.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "libcommon/core/message_io.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/train.h"

int main(int argc, char** argv) {
  CLI::App app{"Benchmark one training stage against its baselines.", "bench_train_stage"};
  std::string repo, statePath;
  uint32_t stage = 1, reps = 3;
  uint64_t pocSamples = 4096;
  app.add_option("--repo", repo, "Repository written by pot-partition")->required();
  app.add_option("-s,--stage", stage, "Stage")->capture_default_str();
  app.add_option("--state", statePath, "S_{stage-1} (default S_0 for stage 1)");
  app.add_option("--reps", reps, "Repetitions; the best time counts")->capture_default_str();
  bool bareOnly = false;
  app.add_flag("--bare-only", bareOnly,
               "Run the bare loop once and exit: a bare libtorch program, timed from outside");
  app.add_option("--poc-samples", pocSamples, "Samples for the one-step-per-sample loop")
      ->capture_default_str();
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    using W = pot::schema::Envelope;
    auto request = pot::readMessage(repo + "/request", W::TRAINING_REQUEST);
    if (!request) return request.status();
    auto body = (*request)->envelope().getTrainingRequest().getBody();
    std::string profile = body.getProfile().getName();
    POT_TRY(pot::enforceComputeProfile(profile, argc, argv));
    auto hex = [](capnp::Data::Reader d) { return pot::toHex(d.begin(), d.size()); };
    if (statePath.empty()) statePath = repo + "/objects/" + hex(body.getInitialState());
    auto batchPath = repo + "/objects/" + hex(body.getStageBatches()[stage - 1]);
    auto state = pot::readMessage(statePath, W::MODEL_STATE);
    if (!state) return state.status();
    auto batch = pot::readMessage(batchPath, W::STAGE_BATCH);
    if (!batch) return batch.status();
    if (bareOnly) {
      auto bare = pot::runBaselineStage(**request, **state, **batch, stage, 0, 0);
      return bare ? pot::Status::ok() : bare.status();
    }
    double n = (*batch)->envelope().getStageBatch().getLabels().size();
    double tStage = 1e9, tBare = 1e9, tPoc = 1e9;
    for (uint32_t r = 0; r < reps; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      auto out = pot::runStage(**request, **state, **batch, stage);
      double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (!out) return out.status();
      tStage = std::min(tStage, t);
      auto bare = pot::runBaselineStage(**request, **state, **batch, stage, 0, 0);
      if (!bare) return bare.status();
      tBare = std::min(tBare, *bare);
      auto poc = pot::runBaselineStage(**request, **state, **batch, stage, 1, pocSamples);
      if (!poc) return poc.status();
      tPoc = std::min(tPoc, *poc);
    }
    double pocN = std::min<double>(n, static_cast<double>(pocSamples));
    std::printf("profile %s, stage %u, %.0f samples, b = %u, best of %u\n", profile.c_str(), stage,
                n, body.getMinibatchSize(), reps);
    std::printf("stage function (secret + state bytes): %10.0f samples/s\n", n / tStage);
    std::printf("bare libtorch loop (same b):           %10.0f samples/s\n", n / tBare);
    std::printf("PoC-style, one step per sample:        %10.0f samples/s\n", pocN / tPoc);
    std::printf("ratio stage/bare: %.3f   ratio stage/PoC: %.1f\n", tBare / tStage,
                (n / tStage) / (pocN / tPoc));
    return pot::Status::ok();
  });
}
