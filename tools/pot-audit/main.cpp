// pot-audit: re-run a model's stages recorded on the best chain and compare rho and H(S_i) with
// each block header (DESIGN 4.8).
#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/net/repo.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/audit.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Audit a model: re-run its stages recorded on the best chain, from the employer's "
      "repository, and compare rho and H(S_i) with each block header.",
      "pot-audit"};
  pot::ChainArgs chain;
  pot::AuditOptions o;
  std::string model, repo, endpoint, stages;
  int timeoutMs = 10000;
  app.add_option("model", model, "The model id (64 hex digits, or a file holding them)")
      ->required();
  chain.add(app, /*clock=*/false);
  app.add_option("--repo", repo, "The employer's repository folder (objects/<sha256 hex>)");
  app.add_option("--repo-endpoint", endpoint, "A pot-repo server to fetch objects from");
  app.add_option("--timeout", timeoutMs, "Milliseconds to wait for each object (--repo-endpoint)");
  app.add_option("--stages", stages, "Only stages A to B (A-B, or one stage A)");
  app.add_option("--sample", o.sample,
                 "Audit this fraction (0, 1] of the stages, chosen by --seed");
  app.add_option("--seed", o.seed, "The auditor's own seed for --sample (an unsigned integer)");
  app.add_option("-j,--jobs", o.jobs, "Stages re-run at the same time (default 1)");
  app.add_option("--resume", o.resumePath,
                 "File of finished stages' verdicts: skipped when present, written after each");
  app.add_flag("--json", o.json, "Print one JSON document instead of lines and a summary");
  app.add_flag("-q,--quiet", o.quiet, "No progress on stderr");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    auto id = pot::parseHashArg(model, "MODEL");
    if (!id) return id.status();
    o.modelId = *id;
    if (!stages.empty()) {
      auto range = pot::parseStageRange(stages);
      if (!range) return range.status();
      o.stages = *range;
    }
    if (repo.empty() == endpoint.empty())
      return pot::Status::usage("give exactly one of --repo DIR or --repo-endpoint ENDPOINT");
    POT_TRY(pot::checkAuditOptions(o));
    pot::ObjectSource objects;
    if (!repo.empty()) {
      objects = [repo](const pot::Hash256& h) {
        return pot::readFile(repo + "/objects/" + h.hex(), 1ull << 30);
      };
    } else {
      objects = [endpoint, timeoutMs](const pot::Hash256& h) {
        return pot::repo::fetch(endpoint, h, timeoutMs, 1ull << 30);
      };
    }
    auto c = chain.load();
    if (!c) return c.status();
    return pot::runAudit(**c, o, objects, argc, argv, std::cout, std::cerr);
  });
}
