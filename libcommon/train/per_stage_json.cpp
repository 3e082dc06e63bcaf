// The per-stage evaluation written as JSON and read back.
#include "libcommon/train/per_stage_json.h"

#include <cmath>
#include <cstdio>

#include "libcommon/core/json_reader.h"
#include "libcommon/core/json_writer.h"

namespace pot {
namespace {

// Six decimals, as pot-evaluate has always printed them; JSON has no NaN.
void sixDecimals(JsonWriter& w, double v) {
  if (!std::isfinite(v)) {
    w.null();
    return;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  w.raw(buf);
}

}  // namespace

std::string perStageJson(const PerStageResult& r) {
  JsonWriter w(JsonWriter::Style::kPretty);
  w.beginObject().field("model", r.model.hex()).field("samples", r.samples);
  w.key("stages").beginArray();
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const StageEvaluation& row = r.rows[i];
    w.beginObject()
        .field("stage", row.stage)
        .field("height", row.height)
        .field("stateHash", row.stateHash.hex());
    if (row.evaluation) {
      w.field("correct", row.evaluation->correct).key("accuracy");
      sixDecimals(w, row.evaluation->accuracy);
      w.key("loss");
      sixDecimals(w, row.evaluation->meanLoss);
    } else if (!row.missing.empty()) {
      w.field("missing", row.missing);
    }
    if (row.stage > 0 && i >= 1 && i - 1 < r.losses.size()) {
      const StageLoss& l = r.losses[i - 1];
      if (l.mean) {
        w.key("trainingLoss");
        sixDecimals(w, *l.mean);
        w.field("trainingLossFrom", lossSourceName(l.source));
      } else {
        w.field("trainingLossNote", l.note);
      }
    }
    w.endObject();
  }
  return w.endArray().endObject().str() + "\n";
}

Result<PerStageResult> readPerStageJson(std::string_view text) {
  auto d = JsonDocument::parse(text);
  if (!d) return d.status().withContext("pot-evaluate --per-stage output");
  PerStageResult r;
  auto bad = [](const std::string& what) {
    return Status::malformed("pot-evaluate --per-stage output: " + what);
  };
  auto model = d->string("model");
  auto id = model ? Hash256::fromHex(*model) : std::nullopt;
  auto samples = d->uint("samples");
  auto stages = d->objectArray("stages");
  if (!id || !samples || !stages) return bad("no model, samples or stages");
  r.model = *id;
  r.samples = *samples;
  for (const JsonDocument& s : *stages) {
    StageEvaluation row;
    auto stage = s.uint("stage");
    auto height = s.uint("height");
    auto hash = s.string("stateHash");
    auto h = hash ? Hash256::fromHex(*hash) : std::nullopt;
    if (!stage || *stage > UINT32_MAX || !height || !h) return bad("a stage without its numbers");
    row.stage = static_cast<uint32_t>(*stage);
    row.height = *height;
    row.stateHash = *h;
    if (s.has("accuracy")) {
      Evaluation e;
      auto correct = s.uint("correct");
      auto acc = s.number("accuracy");
      if (!correct || !acc) return bad("stage " + std::to_string(row.stage) + ": no accuracy");
      e.correct = *correct;
      e.samples = r.samples;
      e.accuracy = *acc;
      e.meanLoss = s.number("loss").value_or(NAN);
      row.evaluation = e;
    }
    row.missing = s.string("missing").value_or("");
    if (row.stage > 0 && !r.rows.empty()) {
      StageLoss l;
      l.stage = row.stage;
      if (auto mean = s.number("trainingLoss")) {
        l.mean = *mean;
        auto from = s.string("trainingLossFrom");
        if (from == std::string("trace"))
          l.source = LossSource::kTrace;
        else if (from == std::string("re-run"))
          l.source = LossSource::kRerun;
        else
          return bad("stage " + std::to_string(row.stage) + ": trainingLossFrom");
      } else {
        l.note = s.string("trainingLossNote").value_or("");
      }
      r.losses.push_back(l);
    }
    r.rows.push_back(row);
  }
  return r;
}

}  // namespace pot
