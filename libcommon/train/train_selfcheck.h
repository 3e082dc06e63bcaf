// Known-answer stages (`pot-train-stage selfcheck`): run them here and judge this machine
// against the shipped vectors (DESIGN 4.4).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "libcommon/core/status.h"
#include "libcommon/train/selfcheck_vectors.h"

namespace pot {

// Each known-answer case's rho and state hash as computed in this process;
// with `only` non-empty, just the cases it names (an unknown name is a usage
// error that lists the known ones): a slow machine or an emulated CPU can
// check a subset (tests/cli/cross_cpu_test.sh).
Result<std::vector<SelfcheckCase>> runSelfcheckCases(const std::vector<std::string>& only = {});

// Runs the cases, finds the vectors file (findSelfcheckVectors: `vectorsPath`
// when given), writes the report (selfcheckReport) to `out` and returns
// selfcheckStatus. The caller has already enforced `profile`.
Status runSelfcheck(const std::string& profile, const std::string& vectorsPath, bool json,
                    std::ostream& out, const std::vector<std::string>& only = {});

}  // namespace pot
