// pot-report: a model's history on the best chain as one self-contained HTML page with inline
// SVG plots, or one plot as SVG (DESIGN 7).
#include <iostream>

#include "libcommon/core/data_field.h"
#include "libcommon/core/fileio.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/model_report.h"
#include "libcommon/tool/repo_args.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/export_chain.h"
#include "libcommon/train/stage_evaluation.h"
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
  bool noEvaluate = false, quiet = false;
  app.add_option("model", model, "The model id (64 hex digits, or a file holding them)")
      ->required();
  chain.add(app, /*clock=*/false);
  repo.add(app);
  app.add_option("-o,--output", out, "File to write ('-' for stdout)");
  app.add_option("--svg", svg, "Write only this plot as SVG: stages, loss, accuracy or rewards");
  app.add_flag("--no-evaluate", noEvaluate,
               "No test-set evaluation and no re-run of stages without a loss trace: read the "
               "chain (and published traces) only; libtorch is not started");
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
  app.add_flag("-q,--quiet", quiet, "No progress on stderr");
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
    const std::vector<pot::RecordedStage> recorded = report->recorded();
    std::vector<pot::StageLoss> losses;
    if (objects) losses = pot::publishedLosses(*id, recorded, objects);
    if (noEvaluate) {
      report->evaluationNote = "not evaluated (--no-evaluate)";
    } else {
      // Re-runs first: putting the profile into effect may re-exec this process.
      POT_TRY(pot::rerunMissingLosses(*report->request, recorded, objects, losses, argc, argv));
      auto s0 = pot::fetchObjectMessage(
          objects,
          pot::hashFrom(
              report->request->envelope().getTrainingRequest().getBody().getInitialState()),
          pot::schema::Envelope::MODEL_STATE, "S_0");
      if (!s0) return s0.status();
      auto set = pot::loadEvaluationSet(*report->request, **s0, source, limit, objects);
      // A model the default test set cannot stand in for still gets its page
      // (the devnet's own data): without accuracy, saying so.
      if (!set && !source.given() && set.status().code() == pot::ExitCode::kUsage) {
        std::cerr << "pot-report: warning: not evaluated: " << set.status().message() << "\n";
        report->evaluationNote = "not evaluated: " + set.status().message();
        pot::addLosses(*report, losses);
        return pot::writeOutput(out, plot ? pot::reportSvg(*report, *plot)
                                          : pot::reportHtml(*report));
      }
      if (!set) return set.status();
      const bool progress = !quiet && pot::isTerminal(2);
      auto rows = pot::evaluateStages(
          *report->request, report->registrationHeight, recorded, objects, *set,
          [&](size_t done, size_t total) {
            if (progress) std::cerr << "\rpot-report: evaluated " << done << "/" << total;
          });
      if (progress) std::cerr << "\r" << std::string(40, ' ') << "\r";
      if (!rows) return rows.status();
      const std::string missing = pot::missingEvaluations(*rows);
      if (!missing.empty()) std::cerr << "pot-report: warning: " << missing << "\n";
      pot::addEvaluations(*report, *rows);
      report->evaluationNote =
          "on " + std::to_string(set->data.size()) + " test samples (" +
          (source.given() ? std::string("the given test set") : "Fashion-MNIST t10k") + ")";
    }
    pot::addLosses(*report, losses);
    return pot::writeOutput(out, plot ? pot::reportSvg(*report, *plot) : pot::reportHtml(*report));
  });
}
