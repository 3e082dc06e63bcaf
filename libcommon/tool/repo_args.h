// Command-line glue for the employer's repository: --repo DIR or --repo-endpoint EP, as the
// source of content-addressed objects the export, evaluation and report tools read.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "libcommon/train/audit.h"

namespace pot {

struct RepoArgs {
  std::string dir;
  std::string endpoint;
  int timeoutMs = 10000;

  // Adds --repo, --repo-endpoint and --timeout.
  void add(CLI::App& app);
  bool given() const { return !dir.empty() || !endpoint.empty(); }
  // Objects by hash from the folder (objects/<sha256 hex>) or the pot-repo
  // server; usage (2) unless exactly one is given.
  Result<ObjectSource> source() const;
};

}  // namespace pot
