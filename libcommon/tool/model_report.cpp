// The model report: the chain read once, the page and its plots written.
#include "libcommon/tool/model_report.h"

#include <cstdio>
#include <ctime>
#include <map>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/data_field.h"
#include "libcommon/tool/svg_plot.h"

namespace pot {
namespace {

std::string utc(uint64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string coins(uint64_t baseUnits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4f", static_cast<double>(baseUnits) / 1e8);
  return buf;
}

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Elapsed minutes since the registration: a chain's clock in a unit people read.
double minutesSince(uint64_t from, uint64_t t) {
  return (static_cast<double>(t) - static_cast<double>(from)) / 60.0;
}

}  // namespace

std::vector<RecordedStage> ModelReport::recorded() const {
  std::vector<RecordedStage> out;
  for (const auto& s : stages) out.push_back(s.recorded);
  return out;
}

Result<ModelReport> readModelReport(const ChainView& chain, const Hash256& modelId,
                                    const ReportNames& names) {
  ModelReport r;
  r.modelId = modelId;
  const BlockInfo tip = chain.tip();
  r.tipHeight = tip.height;
  const LedgerReader* ledger = chain.stateAt(tip.id);
  if (!ledger) return Status::io("the chain cannot give the ledger state at its tip");
  auto model = ledger->model(modelId);
  if (!model)
    return Status::invalid("model " + modelId.hex() + " is not registered on the best chain");
  r.stagesTotal = model->stagesTotal;
  r.feePerStage = model->feePerStage;
  r.isDummy = model->isDummy;
  r.registrationHeight = model->registrationHeight;
  auto file = ledger->request(modelId);
  if (!file) return Status::io("the chain holds no request of model " + modelId.hex());
  auto request = decodeMessage(*file);
  if (!request) return request.status().withContext("the chain's request of the model");
  POT_TRY(expectKind(**request, schema::Envelope::TRAINING_REQUEST, "the chain's request"));
  r.request = std::move(*request);
  auto body = r.request->envelope().getTrainingRequest().getBody();
  auto arch = body.getArchitecture();
  r.architecture = arch.isBuiltin()
                       ? std::string(arch.getBuiltin().cStr())
                       : "torchscript:" + hashFrom(arch.getTorchScript()).hex().substr(0, 16);
  r.optimizer = body.getOptimizer().isAdam() ? "adam" : "sgd";
  r.description = body.getDescription().cStr();
  r.profile = body.getProfile().getName().cStr();
  r.registrationTimestamp = body.getCreatedAt();

  auto blocks = bestChainBlocks(chain);
  if (!blocks) return blocks.status();
  if (r.registrationHeight > 0 && r.registrationHeight <= blocks->size())
    r.registrationTimestamp = (*blocks)[r.registrationHeight - 1].timestamp;
  POT_TRY(forEachRecordedStage(chain, *blocks, modelId,
                               [&](const RecordedStage& recorded, const BlockInfo& info,
                                   schema::Block::Reader block) -> Status {
                                 ReportStage s;
                                 s.recorded = recorded;
                                 s.timestamp = info.timestamp;
                                 s.row = blockRow(block, names);
                                 s.loss.stage = recorded.stage;
                                 s.loss.note = "not read";
                                 r.stages.push_back(std::move(s));
                                 return Status::ok();
                               }));
  return r;
}

void addLosses(ModelReport& report, const std::vector<StageLoss>& losses) {
  for (size_t i = 0; i < report.stages.size() && i < losses.size(); ++i)
    if (losses[i].stage == report.stages[i].recorded.stage) report.stages[i].loss = losses[i];
}

void addEvaluations(ModelReport& report, const std::vector<StageEvaluation>& rows) {
  // Row 0 is S_0; then the recorded stages in the same order.
  if (!rows.empty() && rows[0].stage == 0) report.initial = rows[0].evaluation;
  for (size_t i = 0; i < report.stages.size() && i + 1 < rows.size(); ++i)
    if (rows[i + 1].stage == report.stages[i].recorded.stage)
      report.stages[i].evaluation = rows[i + 1].evaluation;
}

Result<ReportPlot> parseReportPlot(const std::string& name) {
  if (name == "stages") return ReportPlot::kStages;
  if (name == "loss") return ReportPlot::kLoss;
  if (name == "accuracy") return ReportPlot::kAccuracy;
  if (name == "rewards") return ReportPlot::kRewards;
  return Status::usage("--svg: '" + name + "' is not stages, loss, accuracy or rewards");
}

std::string reportSvg(const ModelReport& r, ReportPlot plot) {
  if (plot == ReportPlot::kRewards) {
    std::map<std::string, uint64_t> total;
    for (const auto& s : r.stages)
      for (const auto& [name, amount] : s.row.rewards) total[name] += amount;
    BarChart c;
    c.title = "Rewards over the model's blocks";
    c.yLabel = "coins";
    for (const auto& [name, amount] : total)
      c.bars.emplace_back(name, static_cast<double>(amount) / 1e8);
    return svgBarChart(c);
  }
  LinePlot p;
  if (plot == ReportPlot::kStages) {
    p.title = "Stages over time";
    p.xLabel = "minutes since registration";
    p.yLabel = "stage";
    PlotSeries s{"stage", {}};
    for (const auto& st : r.stages)
      s.points.emplace_back(minutesSince(r.registrationTimestamp, st.timestamp), st.recorded.stage);
    p.series.push_back(std::move(s));
  } else if (plot == ReportPlot::kLoss) {
    p.title = "Training loss per stage";
    p.xLabel = "stage";
    p.yLabel = "mean cross-entropy";
    PlotSeries train{"training (mean over the stage)", {}};
    PlotSeries test{"test set (after the stage)", {}};
    for (const auto& st : r.stages) {
      train.points.emplace_back(st.recorded.stage, st.loss.mean ? *st.loss.mean : NAN);
      test.points.emplace_back(st.recorded.stage, st.evaluation ? st.evaluation->meanLoss : NAN);
    }
    p.series.push_back(std::move(train));
    bool anyTest = false;
    for (const auto& [x, y] : test.points) anyTest = anyTest || std::isfinite(y);
    if (anyTest) p.series.push_back(std::move(test));
  } else {
    p.title = "Test accuracy per stage";
    p.xLabel = "stage";
    p.yLabel = "accuracy";
    p.yMin = 0;
    p.yMax = 1;
    PlotSeries s{"test accuracy", {}};
    if (r.initial) s.points.emplace_back(0, r.initial->accuracy);
    for (const auto& st : r.stages)
      s.points.emplace_back(st.recorded.stage, st.evaluation ? st.evaluation->accuracy : NAN);
    bool any = false;
    for (const auto& [x, y] : s.points) any = any || std::isfinite(y);
    if (any) p.series.push_back(std::move(s));
  }
  return svgLinePlot(p);
}

std::string reportHtml(const ModelReport& r) {
  const std::string id = r.modelId.hex();
  const std::string title = "PoT report: model " + id.substr(0, 16);
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
      xmlEscape(title) +
      "</title>\n<style>\n"
      "body { margin: 0; font-family: sans-serif; font-size: 13px; color: #212529; }\n"
      "header { height: 96px; overflow: hidden; padding: 8px 16px; box-sizing: border-box; }\n"
      "header h1 { font-size: 18px; margin: 0 0 4px 0; }\n"
      "#plots { display: grid; grid-template-columns: 480px 480px; grid-auto-rows: 300px; "
      "gap: 8px; padding: 0 16px; }\n"
      "#plots > div { width: 480px; height: 300px; }\n"
      "section { padding: 8px 16px; }\n"
      "table { border-collapse: collapse; }\n"
      "td, th { border: 1px solid #dee2e6; padding: 2px 6px; text-align: left; }\n"
      "td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
      "</style>\n</head>\n<body>\n<header>\n<h1>" +
      xmlEscape(title) + "</h1>\n<div>model <code>" + id + "</code></div>\n<div>" +
      xmlEscape(r.architecture) + ", " + xmlEscape(r.optimizer) + ", profile " +
      xmlEscape(r.profile) + (r.description.empty() ? "" : ": " + xmlEscape(r.description)) +
      "</div>\n<div>" + std::to_string(r.stages.size()) + " stages on the best chain" +
      (r.isDummy ? " (the dummy model)" : " of " + std::to_string(r.stagesTotal)) +
      ", tip height " + std::to_string(r.tipHeight) + "</div>\n</header>\n<div id=\"plots\">\n";
  const std::pair<const char*, ReportPlot> plots[] = {{"plot-stages", ReportPlot::kStages},
                                                      {"plot-loss", ReportPlot::kLoss},
                                                      {"plot-accuracy", ReportPlot::kAccuracy},
                                                      {"plot-rewards", ReportPlot::kRewards}};
  for (const auto& [name, kind] : plots)
    h += "<div id=\"" + std::string(name) + "\">\n" + reportSvg(r, kind) + "</div>\n";
  h += "</div>\n<section>\n<h2>Summary</h2>\n<table>\n";
  uint64_t rewards = 0;
  std::map<std::string, uint64_t> byAccount;
  for (const auto& s : r.stages)
    for (const auto& [name, amount] : s.row.rewards) {
      rewards += amount;
      byAccount[name] += amount;
    }
  auto row = [&h](const std::string& k, const std::string& v) {
    h += "<tr><th>" + xmlEscape(k) + "</th><td>" + v + "</td></tr>\n";
  };
  row("registered at height",
      std::to_string(r.registrationHeight) + " (" + utc(r.registrationTimestamp) + " UTC)");
  if (!r.stages.empty())
    row("latest stage", std::to_string(r.stages.back().recorded.stage) + " at height " +
                            std::to_string(r.stages.back().recorded.height) + " (" +
                            utc(r.stages.back().timestamp) + " UTC)");
  row("fee per stage", coins(r.feePerStage) + " coins");
  row("fees paid by the employer", coins(r.feePerStage * r.stages.size()) + " coins over " +
                                       std::to_string(r.stages.size()) + " stages");
  std::string accounts;
  for (const auto& [name, amount] : byAccount)
    accounts += (accounts.empty() ? "" : ", ") + xmlEscape(name) + " " + coins(amount);
  row("rewards in the model's blocks",
      coins(rewards) + " coins" + (accounts.empty() ? "" : " (" + accounts + ")"));
  row("test accuracy", xmlEscape(r.evaluationNote));
  if (r.initial) row("accuracy of S_0", fixed(r.initial->accuracy, 4));
  h += "</table>\n<p>Training loss: the mean per-sample cross-entropy the stage's own run saw, "
       "from the loss trace the block header names (\"trace\"), or from a re-run of the stage "
       "here that gave the header's rho and H(S_i) (\"re-run\").</p>\n</section>\n"
       "<section>\n<h2>Stages</h2>\n<table id=\"stages\">\n<tr><th>stage</th><th>height</th>"
       "<th>time (UTC)</th><th>training loss</th><th>loss from</th><th>test accuracy</th>"
       "<th>declarers</th><th>stakeholders (wrapper last)</th><th>rewards (coins)</th>"
       "<th>fee</th><th>block</th></tr>\n";
  for (const auto& s : r.stages) {
    std::string rw;
    for (const auto& [name, amount] : s.row.rewards)
      rw += (rw.empty() ? "" : ", ") + xmlEscape(name) + " " + coins(amount);
    h += "<tr><td class=\"n\">" + std::to_string(s.recorded.stage) + "</td><td class=\"n\">" +
         std::to_string(s.recorded.height) + "</td><td>" + utc(s.timestamp) +
         "</td><td class=\"n\">" + (s.loss.mean ? fixed(*s.loss.mean, 4) : "") + "</td><td>" +
         (s.loss.mean ? lossSourceName(s.loss.source) : xmlEscape(s.loss.note)) +
         "</td><td class=\"n\">" + (s.evaluation ? fixed(s.evaluation->accuracy, 4) : "") +
         "</td><td>" + xmlEscape(joined(s.row.declarers)) + "</td><td>" +
         xmlEscape(joined(s.row.stakeholders)) + "</td><td>" + rw + "</td><td class=\"n\">" +
         coins(r.feePerStage) + "</td><td><code>" + s.recorded.block.hex().substr(0, 16) +
         "</code></td></tr>\n";
  }
  h += "</table>\n</section>\n</body>\n</html>\n";
  return h;
}

}  // namespace pot
