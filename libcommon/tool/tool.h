// The tool boundary: CLI11 parsing, exceptions to messages, exit codes (DESIGN 7).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

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

}  // namespace pot
