// Tool boundary shared by every binary.
#include "libcommon/tool/tool.h"

#include <kj/exception.h>

#include <algorithm>
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

size_t editDistance(std::string_view a, std::string_view b) {
  // The optimal string alignment distance: a full table, as option names are
  // short. d[i][j] is the distance between the first i bytes of a and j of b.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, substitution});
      // Two neighbours typed the wrong way round ("stauts") are one slip.
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> nearestName(std::string_view typed,
                                       const std::vector<std::string>& candidates) {
  const size_t allowed = std::max<size_t>(2, typed.size() / 3);
  std::optional<std::string> best;
  size_t bestDistance = allowed + 1;
  for (const auto& c : candidates) {
    const size_t d = editDistance(typed, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

namespace {

// The option names a command line may use: the app's and those of every
// subcommand it parsed, with their dashes ("--sync-from", "-o").
void collectOptionNames(const CLI::App& app, std::vector<std::string>& names) {
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames()) names.push_back("--" + l);
    for (const auto& s : o->get_snames()) names.push_back("-" + s);
  }
  for (const CLI::App* sub : app.get_subcommands()) collectOptionNames(*sub, names);
}

// One lowercase line, like every other error (DESIGN 7); exit code 2.
int usageError(const std::string& tool, std::string what) {
  if (!what.empty()) what[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(what[0])));
  std::cerr << tool << ": error: " << what << " (see --help)" << std::endl;
  return static_cast<int>(ExitCode::kUsage);
}

}  // namespace

std::optional<std::string> unknownOptionMessage(const CLI::App& app,
                                                const std::vector<std::string>& args) {
  std::vector<std::string> names;
  collectOptionNames(app, names);
  for (const auto& arg : args) {
    // Only what looks like an option: "-" is stdin and "-5" a number.
    if (arg.size() < 2 || arg[0] != '-' ||
        !(std::isalpha(static_cast<unsigned char>(arg[1])) || arg[1] == '-'))
      continue;
    if (arg == "--") break;  // what follows are positional arguments
    const std::string name = arg.substr(0, arg.find('='));
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    // A cluster of short flags ("-qv") or a short option with its value
    // ("-ofile") is CLI11's to judge.
    if (name.size() > 2 && name[1] != '-' &&
        std::find(names.begin(), names.end(), name.substr(0, 2)) != names.end())
      continue;
    std::string message = "unknown option '" + name + "'";
    if (auto near = nearestName(name, names)) message += "; did you mean '" + *near + "'?";
    return message;
  }
  return std::nullopt;
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
    // A mistyped option is the likeliest cause of any parse error ("--conect"
    // also makes "--connect is required"): name it, and the option meant.
    std::vector<std::string> args(argv + 1, argv + argc);
    if (auto unknown = unknownOptionMessage(app, args)) return usageError(tool, *unknown);
    return usageError(tool, e.what());
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
