// The tool boundary: CLI11 parsing, exceptions to messages, exit codes (DESIGN 7).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/core/status.h"

namespace pot {

// Parses argv into `app`, then runs `body`. Usage errors exit 2; --help and
// --version exit 0; a failed Status prints "<tool>: error: <message>" and
// exits with its code; any escaped exception is an internal error (70).
int toolMain(CLI::App& app, int argc, char** argv, const std::function<Status()>& body);

// Prints "<tool>: error: <message>" to stderr (no-op for an empty message).
void reportError(const std::string& tool, const Status& status);

// Prints "<tool>: <message>" to stderr unless quiet: progress and notes.
void note(const std::string& tool, const std::string& message);

const char* potVersion();

// Edit distance: insertions, deletions and substitutions of one byte, and
// swaps of two neighbouring bytes (optimal string alignment), the usual typos.
size_t editDistance(std::string_view a, std::string_view b);

// The candidate closest to a mistyped `typed` ("--sync-frm" -> "--sync-from"),
// when it is close enough to be what was meant: at most 2 edits, or a third
// of the word for long names. Ties go to the earlier candidate.
std::optional<std::string> nearestName(std::string_view typed,
                                       const std::vector<std::string>& candidates);

// "unknown option '--sync-frm'; did you mean '--sync-from'?" for the first
// argument that names no option of `app` or of its parsed subcommands, or
// nullopt when every option-like argument is known. CLI11 reports unknown
// options only as unexpected arguments, without a suggestion, and after
// required options that the typo left missing.
std::optional<std::string> unknownOptionMessage(const CLI::App& app,
                                                const std::vector<std::string>& args);

}  // namespace pot
