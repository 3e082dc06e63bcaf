// pot-train-stage: run one stage S_{i+1}, rho = f(S_i, B_{i+1}); audit one (--check); known-answer
// selfcheck.
#include <capnp/message.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/message_io.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/profile.h"
#include "libcommon/train/train.h"

namespace {

const char* kTool = "pot-train-stage";

std::string objectPath(const std::string& repo, const uint8_t* hash, size_t size) {
  return repo + "/objects/" + pot::toHex(hash, size);
}

pot::Status selfcheck(const std::string& profile, const std::string& vectorsPath, bool json) {
  auto cases = pot::runSelfcheckCases();
  if (!cases) return cases.status();
  auto text = pot::readFile(vectorsPath, 1 << 20);
  if (!text) return text.status().withContext("cannot read the known-answer vectors");
  std::istringstream in(std::string(text->begin(), text->end()));
  std::string line;
  std::map<std::string, std::pair<std::string, std::string>> expected;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string p, name, rho, state;
    if (!(fields >> p >> name >> rho >> state))
      return pot::Status::malformed("'" + vectorsPath + "': bad line '" + line + "'");
    if (p == profile) expected[name] = {rho, state};
  }
  int bad = 0;
  std::string jsonOut = "[";
  for (const auto& c : *cases) {
    auto it = expected.find(c.name);
    bool ok = it != expected.end() && it->second.first == c.rho.hex() &&
              it->second.second == c.stateHash.hex();
    if (!ok) ++bad;
    if (json)
      jsonOut += std::string(jsonOut.size() > 1 ? ", " : "") + "{\"profile\": \"" + profile +
                 "\", \"case\": \"" + c.name + "\", \"rho\": \"" + c.rho.hex() +
                 "\", \"stateHash\": \"" + c.stateHash.hex() +
                 "\", \"match\": " + (ok ? "true" : "false") + "}";
    else
      std::cout << profile << " " << c.name << " " << c.rho.hex() << " " << c.stateHash.hex() << " "
                << (ok ? "ok" : "MISMATCH") << "\n";
  }
  if (json) std::cout << jsonOut << "]\n";
  if (expected.empty())
    return pot::Status::io("'" + vectorsPath + "' has no known-answer vectors for profile '" +
                           profile + "'");
  if (bad)
    return pot::Status::invalid(std::to_string(bad) + " of " + std::to_string(cases->size()) +
                                " known-answer stages differ under profile '" + profile +
                                "': this machine does not reproduce the network's bits");
  return pot::Status::ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train one stage of a training request (DESIGN 4.1), or audit one with --check.",
               kTool};
  std::string requestPath, repo, statePath, batchPath, modulePath, out, tracePath;
  std::string expectRho, expectState, headerPath, claimedTrace, profile, vectors;
  uint32_t stage = 0, threads = 0;
  bool check = false, doSelfcheck = false, probe = false, json = false, quiet = false;
  app.add_option("-r,--request", requestPath,
                 "The signed TrainingRequest file (default: REPO/request)");
  app.add_option("--repo", repo, "Repository folder written by pot-partition");
  app.add_option("-s,--stage", stage, "Stage to run, 1-based: B_stage applied to S_{stage-1}");
  app.add_option("--state", statePath, "S_{stage-1} (default for stage 1: S_0 from REPO)");
  app.add_option("--batch", batchPath, "B_stage (default: from REPO by the request's hash)");
  app.add_option("--module", modulePath, "TorchScript module file (default: from REPO)");
  app.add_option("-o,--output", out, "Write S_stage here ('-' for stdout)");
  app.add_option("--loss-trace", tracePath, "Write the per-sample losses (a LossTrace message)");
  app.add_option("--threads", threads,
                 "Intra-op threads instead of the profile's (results do not change)");
  app.add_flag("--check", check,
               "Audit: compare with --expect-rho/--expect-state/--header; exit 1 on mismatch");
  app.add_option("--expect-rho", expectRho, "With --check: the claimed rho (hex)");
  app.add_option("--expect-state", expectState, "With --check: the claimed H(S_stage) (hex)");
  app.add_option("--header", headerPath,
                 "With --check: a BlockHeader whose rho and stateHash are claimed");
  app.add_option("--trace", claimedTrace,
                 "With --check: the claimed LossTrace, to name the first diverging sample");
  app.add_flag("--selfcheck", doSelfcheck, "Run the known-answer stages of --profile and compare");
  app.add_option("--profile", profile,
                 "With --selfcheck or --probe: the compute profile (default x86-64-v3)");
  app.add_option("--vectors", vectors, "Known-answer vectors file")
      ->default_str(POT_SELFCHECK_VECTORS);
  std::string printEnv;
  app.add_option("--print-env", printEnv,
                 "Print the profile's environment as shell exports (saves the re-exec)");
  app.add_flag("--probe", probe, "Print the known-answer probe digest under --profile");
  app.add_flag("--json", json, "JSON output");
  app.add_flag("-q,--quiet", quiet, "No progress on stderr");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (threads > 0) ::setenv("POT_STAGE_THREADS", std::to_string(threads).c_str(), 1);
    if (!printEnv.empty()) {
      auto spec = pot::findComputeProfile(printEnv);
      if (!spec) return spec.status();
      for (const auto& [name, value] :
           pot::profileEnvironment(*spec, threads ? threads : spec->threads, ""))
        std::cout << (value.empty() ? "unset " + name : "export " + name + "='" + value + "'")
                  << "\n";
      return pot::Status::ok();
    }
    if (doSelfcheck || probe) {
      if (doSelfcheck && probe) return pot::Status::usage("--selfcheck and --probe are exclusive");
      std::string p = profile.empty() ? "x86-64-v3" : profile;
      if (probe) {
        // The probe reports what this process computes, so it must not refuse
        // on a digest mismatch.
        POT_TRY(pot::prepareComputeProfile(p, argc, argv));
        std::cout << pot::computeProbeDigest() << "\n";
        return pot::Status::ok();
      }
      POT_TRY(pot::enforceComputeProfile(p, argc, argv));
      return selfcheck(p, vectors.empty() ? POT_SELFCHECK_VECTORS : vectors, json);
    }
    if (!profile.empty())
      return pot::Status::usage(
          "--profile is for --selfcheck; a stage runs under its request's profile");
    if (stage == 0) return pot::Status::usage("--stage N is required (1-based)");
    if (requestPath.empty() && repo.empty())
      return pot::Status::usage("give --request FILE or --repo DIR");
    if (!check && (!expectRho.empty() || !expectState.empty() || !headerPath.empty() ||
                   !claimedTrace.empty()))
      return pot::Status::usage("--expect-rho, --expect-state, --header and --trace need --check");
    if (check && expectRho.empty() && expectState.empty() && headerPath.empty() &&
        claimedTrace.empty())
      return pot::Status::usage("--check needs --expect-rho, --expect-state, --header or --trace");
    using W = pot::schema::Envelope;
    for (const std::string* in :
         {&requestPath, &statePath, &batchPath, &modulePath, &headerPath, &claimedTrace})
      if (*in == "-") {
        POT_TRY(pot::keepStdinAcrossReexec());
        break;
      }
    auto request = pot::readMessage(requestPath.empty() ? repo + "/request" : requestPath,
                                    W::TRAINING_REQUEST);
    if (!request) return request.status();
    auto body = (*request)->envelope().getTrainingRequest().getBody();
    auto spec = pot::checkRequestProfile(body.getProfile());
    if (!spec) return spec.status();
    auto batches = body.getStageBatches();
    if (stage < 1 || batches.size() == 0)
      return pot::Status::invalid("stage " + std::to_string(stage) +
                                  " is out of range: the request has " +
                                  std::to_string(batches.size()) + " stages");
    // Before the big inputs are read: the profile may re-execute this process.
    POT_TRY(pot::enforceComputeProfile(spec->name, argc, argv));

    // Claims for --check are read before any work so bad input fails fast.
    std::optional<pot::Hash256> wantRho, wantState;
    if (!expectRho.empty()) {
      auto h = pot::parseHashArg(expectRho, "--expect-rho");
      if (!h) return h.status();
      wantRho = *h;
    }
    if (!expectState.empty()) {
      auto h = pot::parseHashArg(expectState, "--expect-state");
      if (!h) return h.status();
      wantState = *h;
    }
    pot::Hash256 modelId = pot::messageId(pot::Domain::kRequest, body);
    if (!headerPath.empty()) {
      auto header = pot::readMessage(headerPath, W::BLOCK_HEADER);
      if (!header) return header.status();
      auto hb = (*header)->envelope().getBlockHeader().getBody();
      auto mid = pot::Hash256::fromBytes(hb.getModelId().begin(), hb.getModelId().size());
      if (!mid || *mid != modelId)
        return pot::Status::invalid("the header is for another model than this request");
      if (hb.getStage() != stage)
        return pot::Status::invalid("the header is for stage " + std::to_string(hb.getStage()) +
                                    ", not stage " + std::to_string(stage));
      wantRho = pot::Hash256::fromBytes(hb.getRho().begin(), hb.getRho().size());
      wantState = pot::Hash256::fromBytes(hb.getStateHash().begin(), hb.getStateHash().size());
      if (!wantRho || !wantState)
        return pot::Status::malformed("the header's rho or stateHash is not 32 bytes");
    }
    std::vector<float> claimedLosses;
    if (!claimedTrace.empty()) {
      auto t = pot::readMessage(claimedTrace, W::LOSS_TRACE);
      if (!t) return t.status();
      auto lt = (*t)->envelope().getLossTrace();
      // A trace of another stage cannot locate a divergence in this one.
      // (Its model id is the claimant's word, so it is not relied on.)
      if (lt.getStage() != stage)
        return pot::Status::invalid("the loss trace is not of stage " + std::to_string(stage) +
                                    " (it says stage " + std::to_string(lt.getStage()) + ")");
      for (float l : lt.getLosses()) claimedLosses.push_back(l);
    }

    std::string sPath = statePath, bPath = batchPath, mPath = modulePath;
    if (sPath.empty()) {
      if (repo.empty() || stage != 1)
        return pot::Status::usage("give --state FILE (S_" + std::to_string(stage - 1) + ")");
      sPath = objectPath(repo, body.getInitialState().begin(), body.getInitialState().size());
    }
    if (bPath.empty()) {
      if (repo.empty()) return pot::Status::usage("give --batch FILE or --repo DIR");
      auto want = batches[pot::stageBatchIndex(stage, batches.size())];
      bPath = objectPath(repo, want.begin(), want.size());
    }
    auto arch = body.getArchitecture();
    pot::Bytes module;
    if (arch.isTorchScript()) {
      if (mPath.empty()) {
        if (repo.empty())
          return pot::Status::usage(
              "the request's architecture is a TorchScript module: give --module FILE or --repo "
              "DIR");
        mPath = objectPath(repo, arch.getTorchScript().begin(), arch.getTorchScript().size());
      }
      auto m = pot::readFile(mPath, 1ull << 30);
      if (!m) return m.status();
      module = std::move(*m);
    }
    auto state = pot::readMessage(sPath, W::MODEL_STATE);
    if (!state) return state.status();
    auto batch = pot::readMessage(bPath, W::STAGE_BATCH);
    if (!batch) return batch.status();

    bool showProgress = !quiet && pot::isTerminal(2);
    auto outcome = pot::runStageWithProgress(
        **request, **state, **batch, stage, arch.isTorchScript() ? &module : nullptr,
        [&](uint64_t done, uint64_t total) {
          if (!showProgress) return;
          std::cerr << "\r" << kTool << ": stage " << stage << " (" << spec->name << "): " << done
                    << "/" << total << " samples" << std::flush;
        });
    if (showProgress)
      std::cerr << "\r" << kTool << ": stage " << stage << " done" << std::string(30, ' ') << "\n";
    if (!outcome) return outcome.status();

    if (!tracePath.empty()) {
      capnp::MallocMessageBuilder b;
      auto t = b.initRoot<W>().initLossTrace();
      t.setModelId(kj::arrayPtr(modelId.data(), 32));
      t.setStage(stage);
      auto losses = t.initLosses(static_cast<unsigned>(outcome->losses.size()));
      for (size_t i = 0; i < outcome->losses.size(); ++i)
        losses.set(static_cast<unsigned>(i), outcome->losses[i]);
      POT_TRY(pot::writeMessage(tracePath, b.getRoot<W>().asReader()));
    }
    if (!out.empty()) POT_TRY(pot::writeOutput(out, outcome->nextState, true));
    std::ostream& report = out == "-" ? std::cerr : std::cout;

    if (!check) {
      if (json)
        report << "{\"stage\": " << stage << ", \"rho\": \"" << outcome->rho.hex()
               << "\", \"stateHash\": \"" << outcome->stateHash.hex()
               << "\", \"samples\": " << outcome->losses.size() << "}\n";
      else
        report << "rho " << outcome->rho.hex() << "\nstate " << outcome->stateHash.hex() << "\n";
      return pot::Status::ok();
    }
    bool rhoOk = !wantRho || *wantRho == outcome->rho;
    bool stateOk = !wantState || *wantState == outcome->stateHash;
    std::string divergence;
    std::optional<size_t> first;
    // Given a trace, an empty one diverges at sample 0: it matches nothing.
    if (!claimedTrace.empty()) {
      first = pot::firstDivergingSample(outcome->losses, claimedLosses);
      if (first) {
        auto sources = (*batch)->envelope().getStageBatch().getSourceIndices();
        std::ostringstream d;
        d << "first diverging sample " << *first;
        if (*first < sources.size()) d << " (dataset index " << sources[*first] << ")";
        if (*first < outcome->losses.size() && *first < claimedLosses.size())
          d << ": loss " << outcome->losses[*first] << " recomputed, " << claimedLosses[*first]
            << " claimed";
        divergence = d.str();
      }
    }
    bool match = rhoOk && stateOk && !first;
    if (json) {
      report << "{\"stage\": " << stage << ", \"match\": " << (match ? "true" : "false")
             << ", \"rho\": \"" << outcome->rho.hex()
             << "\", \"rhoMatch\": " << (rhoOk ? "true" : "false") << ", \"stateHash\": \""
             << outcome->stateHash.hex() << "\", \"stateMatch\": " << (stateOk ? "true" : "false");
      if (first) report << ", \"firstDivergingSample\": " << *first;
      report << "}\n";
    } else {
      report << (match ? "match" : "mismatch") << "\n";
    }
    if (match) return pot::Status::ok();
    std::string what = !rhoOk && !stateOk ? "rho and state hash differ"
                       : !rhoOk           ? "rho differs"
                       : !stateOk         ? "state hash differs"
                                          : "the loss trace differs";
    return pot::Status::invalid("stage " + std::to_string(stage) + ": " + what +
                                (divergence.empty() ? "" : "; " + divergence));
  });
}
