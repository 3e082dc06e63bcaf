// pot-inspect: any PoT message file or stream to JSON, or its ID.
#include <unistd.h>

#include <iostream>

#include "libcommon/inspect.h"
#include "libcommon/message_io.h"
#include "libcommon/tool.h"

int main(int argc, char** argv) {
  CLI::App app{"Print PoT messages as JSON, or their message IDs.", "pot-inspect"};
  std::vector<std::string> inputs;
  bool id = false, kind = false, compact = false, full = false;
  app.add_option("inputs", inputs, "Message files; '-' or none reads a stream from stdin");
  app.add_flag("--id", id, "Print the message ID (signed messages) or file hash (others)");
  app.add_flag("--kind", kind, "Print the message kind only");
  app.add_flag("--compact", compact, "One JSON object per line");
  app.add_flag("--full", full, "Print long Data fields whole instead of summarised");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (id && kind) return pot::Status::usage("--id and --kind are exclusive");
    pot::InspectOptions opt;
    opt.mode = id ? pot::InspectMode::kId : kind ? pot::InspectMode::kKind : pot::InspectMode::kJson;
    opt.json.pretty = !compact;
    if (full) opt.json.maxDataBytes = SIZE_MAX;
    auto print = [&](const pot::Message& m) { std::cout << pot::inspectMessage(m, opt) << "\n"; };
    if (inputs.empty()) inputs.push_back("-");
    for (const auto& path : inputs) {
      if (path == "-") {
        pot::MessageStream stream(STDIN_FILENO);
        for (;;) {
          auto next = stream.next();
          if (!next) return next.status().withContext("standard input");
          if (!next->has_value()) break;
          print(***next);
        }
      } else {
        auto m = pot::readMessage(path);
        if (!m) return m.status();
        print(**m);
      }
    }
    return pot::Status::ok();
  });
}
