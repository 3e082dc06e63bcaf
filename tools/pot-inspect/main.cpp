// pot-inspect: any PoT message file or stream to JSON, its ID or kind; or JSON back to a message.
#include <unistd.h>

#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/core/inspect.h"
#include "libcommon/core/message_io.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{"Print PoT messages as JSON, their IDs or kinds; or encode JSON as a message.",
               "pot-inspect"};
  std::vector<std::string> inputs;
  std::string expect, output = "-";
  bool id = false, kind = false, compact = false, full = false, fromJson = false;
  app.add_option("inputs", inputs, "Message files; '-' or none reads a stream from stdin");
  app.add_flag("--id", id, "Print the message ID (signed messages) or file hash (others)");
  app.add_flag("--kind", kind, "Print the message kind only");
  app.add_option("--expect", expect,
                 "Refuse (exit 3) any message not of this kind, e.g. block, training-declaration");
  app.add_flag("--compact", compact, "One JSON object per line");
  app.add_flag("--full", full, "Print long Data fields whole instead of summarised");
  app.add_flag("--from-json", fromJson,
               "Read one JSON envelope (as printed with --full) and write the canonical message");
  app.add_option("-o,--output", output, "With --from-json: the message file to write");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (id && kind) return pot::Status::usage("--id and --kind are exclusive");
    std::optional<pot::schema::Envelope::Which> expected;
    if (!expect.empty()) {
      expected = pot::kindFromName(expect);
      if (!expected) return pot::Status::usage("unknown message kind '" + expect + "'");
    }
    if (fromJson) {
      if (inputs.size() > 1) return pot::Status::usage("--from-json takes one input");
      auto text = pot::readFile(inputs.empty() ? "-" : inputs[0], 1ull << 30);
      if (!text) return text.status();
      auto bytes = pot::envelopeFromJson(std::string(text->begin(), text->end()));
      if (!bytes) return bytes.status();
      if (expected) {
        auto m = pot::decodeMessage(*bytes);
        if (!m) return m.status();
        POT_TRY(pot::expectKind(**m, *expected, "input"));
      }
      return pot::writeOutput(output, *bytes, /*binary=*/true);
    }
    pot::InspectOptions opt;
    opt.mode = id     ? pot::InspectMode::kId
               : kind ? pot::InspectMode::kKind
                      : pot::InspectMode::kJson;
    opt.json.pretty = !compact;
    if (full) opt.json.maxDataBytes = SIZE_MAX;
    auto print = [&](const pot::Message& m, const std::string& source) -> pot::Status {
      if (expected) POT_TRY(pot::expectKind(m, *expected, source));
      std::cout << pot::inspectMessage(m, opt) << "\n";
      return pot::Status::ok();
    };
    if (inputs.empty()) inputs.push_back("-");
    for (const auto& path : inputs) {
      if (path == "-") {
        pot::MessageStream stream(STDIN_FILENO);
        for (int n = 1;; ++n) {
          auto next = stream.next();
          if (!next)
            return next.status().withContext("standard input, message " + std::to_string(n));
          if (!next->has_value()) break;
          POT_TRY(print(***next, "standard input, message " + std::to_string(n)));
        }
      } else {
        auto m = pot::readMessage(path);
        if (!m) return m.status();
        POT_TRY(print(**m, "'" + path + "'"));
      }
    }
    return pot::Status::ok();
  });
}
