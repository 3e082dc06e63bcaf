// pot-report: a model's history on the best chain as one self-contained HTML page with inline
// SVG plots, or one plot as SVG (DESIGN 7). It loads no libtorch: accuracy and re-run losses
// come from one `pot-evaluate --per-stage` child, libtorch started there once.
#include <iostream>

#include "libcommon/core/data_field.h"
#include "libcommon/core/fileio.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/child_tool.h"
#include "libcommon/tool/model_report.h"
#include "libcommon/tool/repo_args.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/export_chain.h"
#include "libcommon/train/per_stage_json.h"
#include "libcommon/train/stage_losses.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Write a model's history on the best chain as one self-contained HTML page: stages over "
      "time, training loss and test accuracy per stage, declarers, stakeholders, rewards and "
      "fees.",
      "pot-report"};
  std::string model, out = "-", svg, keys;
  pot::ChainArgs chain;
  pot::RepoArgs repo;
  pot::DatasetSource source;
  std::vector<std::string> npy;
  uint64_t limit = 0;
  bool noEvaluate = false;
  app.add_option("model", model, "The model id (64 hex digits, or a file holding them)")
      ->required();
  chain.add(app, /*clock=*/false);
  repo.add(app);
  app.add_option("-o,--output", out, "File to write ('-' for stdout)");
  app.add_option("--svg", svg, "Write only this plot as SVG: stages, loss, accuracy or rewards");
  app.add_flag("--no-evaluate", noEvaluate,
               "No test-set evaluation and no re-run of stages without a loss trace: read the "
               "chain (and published traces) only");
  app.add_option("--keys", keys, "A folder whose NAME.pem keys are shown as NAME");
  app.add_option("--images", source.images, "IDX test images (default: Fashion-MNIST t10k)");
  app.add_option("--labels", source.labels, "IDX test labels (default: Fashion-MNIST t10k)");
  app.add_option("--csv", source.csv, "CSV test set instead of IDX");
  app.add_option("--label-column", source.labelColumn, "CSV label column (0-based; -1 = last)")
      ->capture_default_str();
  app.add_option("--npy", npy, "NumPy test set instead of IDX: SAMPLES.npy LABELS.npy")
      ->expected(2);
  app.add_option("--npz", source.npz, "NumPy .npz test set instead of IDX");
  app.add_option("--npz-keys", source.npzKeys, "The .npz arrays holding samples and labels: X,Y");
  app.add_option("--limit", limit, "Evaluate on the first N test samples only (0 = all)");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    auto id = pot::parseHashArg(model, "MODEL");
    if (!id) return id.status();
    std::optional<pot::ReportPlot> plot;
    if (!svg.empty()) {
      auto p = pot::parseReportPlot(svg);
      if (!p) return p.status();
      plot = *p;
    }
    if (!npy.empty()) {
      source.npySamples = npy[0];
      source.npyLabels = npy[1];
    }
    if (noEvaluate && (source.given() || limit != 0))
      return pot::Status::usage("--no-evaluate takes no test set or --limit");
    pot::ObjectSource objects;
    if (repo.given() || !noEvaluate) {
      auto o = repo.source();
      if (!o) return o.status();
      objects = std::move(*o);
    }
    pot::ReportNames names;
    if (!keys.empty()) POT_TRY(pot::addKeyNames(names, keys));
    auto c = chain.load();
    if (!c) return c.status();
    auto report = pot::readModelReport(**c, *id, names);
    if (!report) return report.status();
    auto write = [&]() {
      return pot::writeOutput(out,
                              plot ? pot::reportSvg(*report, *plot) : pot::reportHtml(*report));
    };
    if (noEvaluate) {
      if (objects) pot::addLosses(*report, pot::publishedLosses(*id, report->recorded(), objects));
      report->evaluationNote = "not evaluated (--no-evaluate)";
      return write();
    }
    // Without a test set, only a model the default (Fashion-MNIST t10k) fits
    // is evaluated; any other still gets its page and its training losses.
    bool accuracy = true;
    if (!source.given()) {
      auto s0 = pot::fetchObjectMessage(
          objects,
          pot::hashFrom(
              report->request->envelope().getTrainingRequest().getBody().getInitialState()),
          pot::schema::Envelope::MODEL_STATE, "S_0");
      if (!s0) return s0.status();
      auto fits = pot::readEvaluationTransform(*report->request, **s0, false);
      if (!fits && fits.status().code() == pot::ExitCode::kUsage) {
        std::cerr << "pot-report: warning: not evaluated: " << fits.status().message() << "\n";
        report->evaluationNote = "not evaluated: " + fits.status().message();
        accuracy = false;
      } else if (!fits) {
        return fits.status();
      }
    }
    std::vector<std::string> args = {pot::siblingTool("pot-evaluate"),
                                     "--per-stage",
                                     "--json",
                                     "--training-loss",
                                     "--model",
                                     id->hex()};
    auto pass = [&args](const char* option, const std::string& value) {
      if (!value.empty()) args.insert(args.end(), {option, value});
    };
    pass("--db", chain.db);
    pass("--genesis", chain.genesis);
    pass("--chain", chain.chain);
    pass("--repo", repo.dir);
    pass("--repo-endpoint", repo.endpoint);
    if (!repo.endpoint.empty()) pass("--timeout", std::to_string(repo.timeoutMs));
    if (accuracy) {
      pass("--images", source.images);
      pass("--labels", source.labels);
      pass("--csv", source.csv);
      if (!source.csv.empty()) pass("--label-column", std::to_string(source.labelColumn));
      if (!npy.empty()) args.insert(args.end(), {"--npy", npy[0], npy[1]});
      pass("--npz", source.npz);
      pass("--npz-keys", source.npzKeys);
      if (limit) pass("--limit", std::to_string(limit));
    } else {
      args.push_back("--no-accuracy");
    }
    auto run = pot::runTool(args);
    if (!run) return run.status();
    // Exit 4 with a whole document: some states are missing from the
    // repository; the page shows the others and says which.
    if (run->exitCode != 0 && run->exitCode != 4) return run->failure();
    auto result = pot::readPerStageJson(run->out);
    if (!result) return run->exitCode ? run->failure() : result.status();
    std::cerr << run->err;
    if (run->exitCode == 4)
      std::cerr << "pot-report: warning: " << run->failure().message() << "\n";
    pot::addEvaluations(*report, result->rows);
    pot::addLosses(*report, result->losses);
    if (accuracy)
      report->evaluationNote =
          "on " + std::to_string(result->samples) + " test samples (" +
          (source.given() ? std::string("the given test set") : "Fashion-MNIST t10k") + ")";
    return write();
  });
}
