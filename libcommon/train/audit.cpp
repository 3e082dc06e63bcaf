// pot-audit's run: the model's recorded stages fetched, checked against their hashes and
// re-run in forked children, at most --jobs at a time (DESIGN 4.8).
#include "libcommon/train/audit.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_reader.h"
#include "libcommon/core/message_io.h"
#include "libcommon/train/stage_audit.h"
#include "libcommon/train/train.h"

namespace pot {
namespace {

using W = schema::Envelope;

// An object fetched by hash, re-hashed and decoded as `kind`; `name` says
// what it is in the stage ("S_2", "B_3") for the report.
Result<MessagePtr> fetchMessage(const ObjectSource& objects, const Hash256& hash, W::Which kind,
                                const std::string& name) {
  const std::string what = name + " " + hash.hex();
  auto bytes = objects(hash);
  if (!bytes) return bytes.status().withContext(what);
  if (sha256(*bytes) != hash) return Status::invalid(what + ": the object does not match its hash");
  auto m = decodeMessage(std::move(*bytes));
  if (!m) return m.status().withContext(what);
  if ((*m)->kind() != kind)
    return Status::malformed(what + ": expected a " + kindName(kind) + ", got a " +
                             kindName((*m)->kind()));
  return m;
}

// What the parent hands a child: the checked inputs of one stage.
struct StageInputs {
  MessagePtr state;
  MessagePtr batch;
  std::optional<std::vector<float>> claimedLosses;
};

// The child's work: re-run the stage and judge it, as one JSON line for the parent.
std::string reRunStage(const Message& request, const StageInputs& in, const RecordedStage& r,
                       const Bytes* module) {
  JsonWriter j;
  j.beginObject();
  const auto start = std::chrono::steady_clock::now();
  auto outcome = runStageWithModule(request, *in.state, *in.batch, r.stage, module);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!outcome) {
    // The inputs matched their on-chain hashes, so a stage that cannot run
    // means the chain recorded what this request cannot produce.
    j.field("verdict", "mismatch")
        .field("detail", "stage " + std::to_string(r.stage) +
                             " cannot be re-run: " + outcome.status().message());
  } else {
    StageClaim claim;
    claim.rho = r.rho;
    claim.stateHash = r.stateHash;
    claim.losses = in.claimedLosses;
    std::vector<uint32_t> sources;
    for (auto s : in.batch->envelope().getStageBatch().getSourceIndices()) sources.push_back(s);
    StageRecomputed recomputed{outcome->rho, outcome->stateHash, std::move(outcome->losses)};
    StageVerdict v = judgeStage(recomputed, claim, sources);
    j.field("verdict", v.match() ? "ok" : "mismatch");
    if (!v.match()) j.field("detail", stageVerdictStatus(r.stage, v).message());
    j.field("rho", outcome->rho.hex()).field("stateHash", outcome->stateHash.hex());
    if (v.firstDivergingSample) {
      j.field("divergingSample", static_cast<uint64_t>(*v.firstDivergingSample));
      if (*v.firstDivergingSample < sources.size())
        j.field("divergingDatasetIndex", sources[*v.firstDivergingSample]);
    }
  }
  j.field("seconds", seconds).endObject();
  return j.str();
}

// The parent's reading of a child's line.
Status readChildReport(const std::string& text, StageAudit& a) {
  auto d = JsonDocument::parse(text);
  if (!d)
    return Status::internal("stage " + std::to_string(a.recorded.stage) +
                            ": the worker's report does not parse: " + d.status().message());
  auto verdict = d->string("verdict");
  a.verdict = verdict == std::string("ok") ? AuditVerdict::kOk : AuditVerdict::kMismatch;
  a.detail = d->string("detail").value_or("");
  if (auto h = d->string("rho")) a.rho = Hash256::fromHex(*h);
  if (auto h = d->string("stateHash")) a.stateHash = Hash256::fromHex(*h);
  a.divergingSample = d->uint("divergingSample");
  a.divergingDatasetIndex = d->uint("divergingDatasetIndex");
  a.seconds = d->number("seconds").value_or(0);
  return Status::ok();
}

void writeAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

struct Worker {
  pid_t pid;
  int fd;
  size_t index;  // in the selection
  std::string report;
};

// Children still running when the audit returns early (a worker died, fork
// failed) are stopped and reaped, so none outlives the auditor.
struct Workers {
  std::vector<Worker> list;
  ~Workers() {
    for (const Worker& w : list) {
      ::kill(w.pid, SIGTERM);
      ::close(w.fd);
      while (::waitpid(w.pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
};

}  // namespace

Status runAudit(const ChainView& chain, const AuditOptions& o, const ObjectSource& objects,
                int argc, char** argv, std::ostream& out, std::ostream& err) {
  POT_TRY(checkAuditOptions(o));
  const LedgerReader* ledger = chain.stateAt(chain.tip().id);
  if (!ledger) return Status::io("the chain cannot give the ledger state at its tip");
  auto model = ledger->model(o.modelId);
  if (!model)
    return Status::invalid("model " + o.modelId.hex() + " is not registered on the best chain");
  auto file = ledger->request(o.modelId);
  if (!file) return Status::io("the chain holds no request of model " + o.modelId.hex());
  auto request = decodeMessage(*file);
  if (!request) return request.status().withContext("the chain's request of the model");
  auto body = (*request)->envelope().getTrainingRequest().getBody();
  auto onChain = recordedStages(chain, o.modelId);
  if (!onChain) return onChain.status();
  const std::vector<RecordedStage> selected = stagesToAudit(*onChain, o);

  // One thread per stage unless the auditor asks otherwise: the audit's
  // parallelism is its --jobs forked workers, each re-running one stage. (A
  // child forked after this process's split team started computes whole:
  // split_team.h.) The bits do not depend on the thread count.
  ::setenv("POT_STAGE_THREADS", "1", /*overwrite=*/0);
  // Once per process, before any stage: the children inherit the profile.
  POT_TRY(enforceComputeProfile(body.getProfile().getName().cStr(), argc, argv));

  // S_{i-1} of each stage: the chain's H(S) of the stage before, or S_0.
  std::map<uint32_t, Hash256> stateBefore;
  stateBefore[1] = hashFrom(body.getInitialState());
  for (const auto& r : *onChain) stateBefore[r.stage + 1] = r.stateHash;
  const auto batches = body.getStageBatches();
  if (batches.size() == 0) return Status::malformed("the model's request has no stage batches");

  std::map<uint32_t, StageAudit> done;
  if (!o.resumePath.empty()) {
    auto resumed = readAuditResume(o.resumePath, o.modelId);
    if (!resumed) return resumed.status();
    done = std::move(*resumed);
  }

  // A TorchScript module serves every stage: fetched once.
  Bytes module;
  std::string moduleMissing;
  if (body.getArchitecture().isTorchScript()) {
    const Hash256 h = hashFrom(body.getArchitecture().getTorchScript());
    auto m = objects(h);
    if (!m)
      moduleMissing = "module " + h.hex() + ": " + m.status().message();
    else if (sha256(*m) != h)
      moduleMissing = "module " + h.hex() + ": the object does not match its hash";
    else
      module = std::move(*m);
  }
  const Bytes* modulePtr = body.getArchitecture().isTorchScript() ? &module : nullptr;

  const bool progress = !o.quiet && isTerminal(2);
  std::vector<std::optional<StageAudit>> results(selected.size());
  size_t printed = 0, finished = 0;
  Status resumeStatus = Status::ok();
  auto finish = [&](size_t i, StageAudit a) {
    ++finished;
    if (!a.resumed && !o.resumePath.empty()) {
      done[a.recorded.stage] = a;
      if (resumeStatus) resumeStatus = writeAuditResume(o.resumePath, o.modelId, done);
    }
    results[i] = std::move(a);
    // Lines leave in chain order whatever order the workers finish in.
    for (; printed < results.size() && results[printed]; ++printed)
      if (!o.json) out << stageAuditLine(*results[printed]) << "\n" << std::flush;
    if (progress)
      err << "\rpot-audit: " << finished << "/" << selected.size() << " stages" << std::flush;
  };

  Workers workers;
  std::vector<Worker>& running = workers.list;
  size_t next = 0;
  while (next < selected.size() || !running.empty()) {
    while (running.size() < o.jobs && next < selected.size() && resumeStatus) {
      const size_t i = next++;
      const RecordedStage& r = selected[i];
      auto prior = done.find(r.stage);
      // A verdict is reused only for the same block: after a reorganisation
      // the stage is another header and is audited again. A missing object
      // may have arrived since (a repository that was down), so that stage
      // is tried again too.
      if (prior != done.end() && prior->second.recorded.block == r.block &&
          prior->second.verdict != AuditVerdict::kMissing) {
        StageAudit a = prior->second;
        a.resumed = true;
        finish(i, std::move(a));
        continue;
      }
      StageAudit a;
      a.recorded = r;
      StageInputs in;
      const std::string si = std::to_string(r.stage);
      std::string missing = moduleMissing;
      auto before = stateBefore.find(r.stage);
      if (missing.empty() && before == stateBefore.end())
        missing = "S_" + std::to_string(r.stage - 1) + " is not recorded on the best chain";
      if (missing.empty()) {
        auto s = fetchMessage(objects, before->second, W::MODEL_STATE,
                              "S_" + std::to_string(r.stage - 1));
        if (s)
          in.state = std::move(*s);
        else
          missing = s.status().message();
      }
      if (missing.empty()) {
        auto b = fetchMessage(objects, hashFrom(batches[stageBatchIndex(r.stage, batches.size())]),
                              W::STAGE_BATCH, "B_" + si);
        if (b)
          in.batch = std::move(*b);
        else
          missing = b.status().message();
      }
      if (!missing.empty()) {
        a.verdict = AuditVerdict::kMissing;
        a.detail = missing;
        finish(i, std::move(a));
        continue;
      }
      // A published trace is optional: without it the verdict still stands,
      // only the diverging sample goes unnamed.
      if (r.lossTraceHash) {
        auto t = fetchMessage(objects, *r.lossTraceHash, W::LOSS_TRACE, "loss trace");
        if (t && (*t)->envelope().getLossTrace().getStage() == r.stage) {
          in.claimedLosses.emplace();
          for (float l : (*t)->envelope().getLossTrace().getLosses())
            in.claimedLosses->push_back(l);
        }
      }
      int fds[2];
      if (::pipe(fds) != 0) return Status::io(std::string("pipe: ") + std::strerror(errno));
      out.flush();
      err.flush();
      const pid_t pid = ::fork();
      if (pid < 0) return Status::io(std::string("fork: ") + std::strerror(errno));
      if (pid == 0) {
        ::close(fds[0]);
        // _exit: the parent's buffers and exit handlers are not the child's to run.
        try {
          writeAll(fds[1], reRunStage(**request, in, r, modulePtr));
        } catch (...) {
          ::_exit(70);  // no report: the parent names the stage as an internal error
        }
        ::_exit(0);
      }
      ::close(fds[1]);
      running.push_back(Worker{pid, fds[0], i, {}});
    }
    if (running.empty()) {
      if (!resumeStatus) break;
      continue;
    }
    // Read every worker's pipe until it closes, so none blocks on a full pipe.
    std::vector<pollfd> polls;
    for (const auto& w : running) polls.push_back(pollfd{w.fd, POLLIN, 0});
    if (::poll(polls.data(), polls.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return Status::io(std::string("poll: ") + std::strerror(errno));
    }
    for (size_t k = polls.size(); k-- > 0;) {
      if (!(polls[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Worker& w = running[k];
      char buf[4096];
      ssize_t n = ::read(w.fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        w.report.append(buf, static_cast<size_t>(n));
        continue;
      }
      // Out of the list before anything can fail: the list's destructor
      // must not reap this child a second time.
      Worker ended = std::move(w);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
      ::close(ended.fd);
      int wstatus = 0;
      while (::waitpid(ended.pid, &wstatus, 0) < 0 && errno == EINTR) {
      }
      StageAudit a;
      a.recorded = selected[ended.index];
      if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0 || ended.report.empty())
        return Status::internal("the worker for stage " + std::to_string(a.recorded.stage) +
                                " died without a report");
      POT_TRY(readChildReport(ended.report, a));
      const size_t index = ended.index;
      finish(index, std::move(a));
    }
  }
  if (progress) err << "\r" << std::string(40, ' ') << "\r" << std::flush;
  if (!resumeStatus) return resumeStatus.withContext("resume file '" + o.resumePath + "'");

  std::vector<StageAudit> audits;
  for (auto& r : results) audits.push_back(std::move(*r));
  const AuditSummary s = summarize(audits);
  if (o.json)
    out << auditJson(o.modelId, audits) << "\n";
  else
    out << auditSummaryLine(s) << "\n";
  if (s.mismatched + s.missing > 0)
    return Status::invalid(std::to_string(s.mismatched + s.missing) + " of " +
                           std::to_string(s.checked) + " stages failed the audit");
  return Status::ok();
}

}  // namespace pot
