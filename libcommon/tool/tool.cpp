// Tool boundary shared by every binary.
#include "libcommon/tool/tool.h"

#include <kj/exception.h>

#include <cctype>
#include <exception>
#include <iostream>

namespace pot {

const char* potVersion() { return POT_VERSION; }

void reportError(const std::string& tool, const Status& status) {
  if (status.message().empty()) return;
  const char* label = status.code() == ExitCode::kInvalid ? "invalid" : "error";
  std::cerr << tool << ": " << label << ": " << status.message() << std::endl;
}

void note(const std::string& tool, const std::string& message) {
  std::cerr << tool << ": " << message << std::endl;
}

int toolMain(CLI::App& app, int argc, char** argv, const std::function<Status()>& body) {
  const std::string tool = app.get_name();
  app.set_version_flag("--version", std::string(tool) + " " + POT_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One lowercase line, like every other error (DESIGN 7).
    std::string what = e.what();
    if (!what.empty())
      what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
    std::cerr << tool << ": error: " << what << " (see --help)" << std::endl;
    return static_cast<int>(ExitCode::kUsage);
  }
  try {
    Status s = body();
    if (!s.isOk()) reportError(tool, s);
    return s.exitCode();
  } catch (const kj::Exception& e) {
    std::cerr << tool << ": error: internal: " << e.getDescription().cStr() << std::endl;
  } catch (const std::bad_alloc&) {
    std::cerr << tool << ": error: out of memory" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << tool << ": error: internal: " << e.what() << std::endl;
  }
  return static_cast<int>(ExitCode::kInternal);
}

}  // namespace pot
