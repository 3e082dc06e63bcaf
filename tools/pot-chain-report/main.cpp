// pot-chain-report: block files as a table (model, stage, declarers, stakeholders, rewards), and a
// devnet run's verdict against its single-process reference.
#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/chain_report.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Print block files as a table with names for keys and models; with --final, also a "
      "run's verdict (final state against a single-process reference, accuracies, agreement).",
      "pot-chain-report"};
  std::vector<std::string> blocks, models;
  std::string keys, finalState, referenceState, agree, json;
  double accuracy = 0, referenceAccuracy = 0;
  app.add_option("blocks", blocks, "Block files, in chain order")->required();
  app.add_option("--keys", keys, "A folder whose NAME.pem keys are shown as NAME");
  app.add_option("--model", models, "NAME=ID: show model ID as NAME (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--final", finalState, "The chain's final state hash");
  app.add_option("--reference", referenceState, "The single-process run's state hash");
  app.add_option("--accuracy", accuracy, "The final state's test accuracy");
  app.add_option("--reference-accuracy", referenceAccuracy, "The reference's test accuracy");
  app.add_option("--agree", agree, "Whether every node held the same chain: yes or no")
      ->check(CLI::IsMember({"yes", "no"}));
  app.add_option("--json", json, "Also write the table and verdict as JSON to this file");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    pot::ReportNames names;
    if (!keys.empty()) POT_TRY(pot::addKeyNames(names, keys));
    for (const auto& m : models) {
      const auto eq = m.find('=');
      if (eq == std::string::npos) return pot::Status::usage("--model '" + m + "' is not NAME=ID");
      auto id = pot::parseHashArg(m.substr(eq + 1), "--model");
      if (!id) return id.status();
      names.models[*id] = m.substr(0, eq);
    }
    const bool verdict = !finalState.empty();
    if (verdict && (referenceState.empty() || agree.empty()))
      return pot::Status::usage("--final needs --reference and --agree");
    std::vector<pot::BlockRow> rows;
    std::string table = pot::reportHeading() + "\n";
    for (const auto& f : blocks) {
      auto m = pot::readMessage(f, pot::schema::Envelope::BLOCK);
      if (!m) return m.status();
      auto row = pot::blockRow(**m, names);
      if (!row) return row.status().withContext("'" + f + "'");
      table += pot::formatRow(*row) + "\n";
      rows.push_back(std::move(*row));
    }
    pot::RunOutcome outcome;
    if (verdict) {
      auto f = pot::parseHashArg(finalState, "--final");
      if (!f) return f.status();
      auto r = pot::parseHashArg(referenceState, "--reference");
      if (!r) return r.status();
      outcome = {*f, *r, accuracy, referenceAccuracy, agree == "yes"};
      table += "\n" + pot::formatOutcome(outcome);
    }
    std::cout << table << std::flush;
    if (!json.empty()) {
      const std::string text = pot::reportJson(rows, verdict ? &outcome : nullptr);
      POT_TRY(pot::writeFileAtomic(json, pot::Bytes(text.begin(), text.end())));
    }
    if (verdict && !outcome.passed())
      return pot::Status::invalid(outcome.identical()
                                      ? "the nodes hold different chains"
                                      : "the final state differs from the reference");
    return pot::Status::ok();
  });
}
