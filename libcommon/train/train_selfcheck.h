// Known-answer stages (`pot-train-stage selfcheck`): run them here and judge this machine
// against the shipped vectors (DESIGN 4.4).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "libcommon/core/status.h"
#include "libcommon/train/selfcheck_vectors.h"

namespace pot {

// Each known-answer case's rho and state hash as computed in this process.
Result<std::vector<SelfcheckCase>> runSelfcheckCases();

// Runs the cases, finds the vectors file (findSelfcheckVectors: `vectorsPath`
// when given), writes the report (selfcheckReport) to `out` and returns
// selfcheckStatus. The caller has already enforced `profile`.
Status runSelfcheck(const std::string& profile, const std::string& vectorsPath, bool json,
                    std::ostream& out);

}  // namespace pot
