// Throughput of one stage: the stage function (secret, state file bytes) vs a bare
// libtorch loop vs the PoC-style one optimizer step per sample, same profile, same process.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "libcommon/consensus/compute_profile.h"
#include "libcommon/core/message_io.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/parallel_gemm.h"
#include "libcommon/train/train.h"

namespace {

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The stage function on 1 thread and on `threads`, back to back in each round, so that the
// machine's drift (15-25% within minutes on the measured VM) touches both alike: prints each
// round, the best of each and the median of the rounds' ratios; the results must be equal.
pot::Status compareThreads(const pot::Message& request, const pot::Message& state,
                           const pot::Message& batch, uint32_t stage, const std::string& profile,
                           uint32_t threads, uint32_t rounds) {
  auto spec = pot::findComputeProfile(profile);
  if (!spec) return spec.status();
  const int multiple = pot::splitGemmColumnMultiple(spec->blas);
  double best1 = 1e9, bestN = 1e9;
  std::vector<double> ratios;
  // Not timed: the process's first stage also pays its first allocations and page faults.
  pot::setSplitGemm(static_cast<int>(threads), multiple);
  if (auto warm = pot::runStage(request, state, batch, stage); !warm) return warm.status();
  for (uint32_t r = 0; r < rounds; ++r) {
    double t[2];
    pot::Hash256 hash[2], rho[2];
    for (int i = 0; i < 2; ++i) {
      pot::setSplitGemm(i == 0 ? 1 : static_cast<int>(threads), multiple);
      auto t0 = std::chrono::steady_clock::now();
      auto out = pot::runStage(request, state, batch, stage);
      t[i] = seconds(t0);
      if (!out) return out.status();
      hash[i] = out->stateHash;
      rho[i] = out->rho;
    }
    if (hash[0] != hash[1] || rho[0] != rho[1])
      return pot::Status::internal("rho or S_i differs between thread counts");
    best1 = std::min(best1, t[0]);
    bestN = std::min(bestN, t[1]);
    ratios.push_back(t[1] / t[0]);
    std::printf("round %u: 1 thread %.3f s, %u threads %.3f s, ratio %.3f\n", r + 1, t[0], threads,
                t[1], t[1] / t[0]);
  }
  std::sort(ratios.begin(), ratios.end());
  const size_t n = ratios.size();
  const double median = n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
  std::printf(
      "profile %s: best 1 thread %.3f s, best %u threads %.3f s (ratio %.3f); median of "
      "the rounds' ratios %.3f; same rho and H(S_%u) on both\n",
      profile.c_str(), best1, threads, bestN, bestN / best1, median, stage);
  return pot::Status::ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Benchmark one training stage against its baselines.", "bench_train_stage"};
  std::string repo, statePath;
  uint32_t stage = 1, reps = 3;
  uint64_t pocSamples = 4096;
  app.add_option("--repo", repo, "Repository written by pot-partition")->required();
  app.add_option("-s,--stage", stage, "Stage")->capture_default_str();
  app.add_option("--state", statePath, "S_{stage-1} (default S_0 for stage 1)");
  app.add_option("--reps", reps, "Repetitions; the best time counts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  bool bareOnly = false;
  app.add_flag("--bare-only", bareOnly,
               "Run the bare loop once and exit: a bare libtorch program, timed from outside");
  app.add_option("--poc-samples", pocSamples, "Samples for the one-step-per-sample loop")
      ->capture_default_str();
  uint32_t threads = 0;
  app.add_option("--threads-against", threads,
                 "Instead: the stage function on 1 thread and on this many, alternating in this "
                 "process (as a stage worker runs it), --reps rounds");
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
    if (threads > 0)
      return compareThreads(**request, **state, **batch, stage, profile, threads, reps);
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
