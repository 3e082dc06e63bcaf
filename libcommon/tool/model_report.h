// pot-report (DESIGN 7): a model's history on the best chain as one self-contained HTML page
// with inline SVG plots: stages over time, training loss and test accuracy per stage,
// declarers, stakeholders, rewards and fees. The chain is read here; losses and evaluations
// come from the training layer (stage_losses.h, stage_evaluation.h) and are added by the tool.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/model_stages.h"
#include "libcommon/tool/chain_report.h"
#include "libcommon/train/stage_evaluation.h"
#include "libcommon/train/stage_losses.h"

namespace pot {

struct ReportStage {
  RecordedStage recorded;
  uint64_t timestamp = 0;  // the block's
  BlockRow row;            // declarers, stakeholders, coinbase by name
  StageLoss loss;
  std::optional<Evaluation> evaluation;
};

struct ModelReport {
  Hash256 modelId;
  std::string architecture, optimizer, description, profile;
  uint32_t stagesTotal = 0;  // t
  uint64_t feePerStage = 0;
  bool isDummy = false;
  uint64_t registrationHeight = 0;
  uint64_t registrationTimestamp = 0;
  uint64_t tipHeight = 0;
  std::vector<ReportStage> stages;  // in height order
  std::optional<Evaluation> initial;  // S_0's, when evaluated
  std::string evaluationNote;         // what the accuracy is measured on, or why it is not
  MessagePtr request;

  std::vector<RecordedStage> recorded() const;
};

// The model's registration and every block of the best chain that recorded
// one of its stages, each block read once. Invalid (1) when the model is not
// registered on the best chain.
Result<ModelReport> readModelReport(const ChainView& chain, const Hash256& modelId,
                                    const ReportNames& names);

// Losses and evaluations by stage, as the training layer computed them.
void addLosses(ModelReport& report, const std::vector<StageLoss>& losses);
void addEvaluations(ModelReport& report, const std::vector<StageEvaluation>& rows);

// The single plots: "stages" (stage by time since registration), "loss",
// "accuracy", "rewards" (coinbase per account over the model's blocks).
enum class ReportPlot { kStages, kLoss, kAccuracy, kRewards };
Result<ReportPlot> parseReportPlot(const std::string& name);  // usage (2) for another name
std::string reportSvg(const ModelReport& report, ReportPlot plot);

// The page: title "PoT report: model <id>", the four plots in a fixed 2x2
// grid of 480x300 cells right under a fixed-height heading (so a screenshot
// finds them), a summary and a table of the stages. No script, no link, no
// image or font fetched: it opens offline.
std::string reportHtml(const ModelReport& report);

}  // namespace pot
