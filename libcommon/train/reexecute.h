// The auditor's check (DESIGN 5.7 --reexecute): re-run a block's stage from the employer's
// repository.
#pragma once

#include <string>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/validate.h"

namespace pot {

// Re-runs the stage of `block` (already valid against `chain`) from the
// repository folder `repo` (objects/<sha256 hex>): S_{i-1} is the state the
// chain recorded for the previous stage (S_0 for stage 1), B_i the request's
// batch. Compares rho and H(S_i) with the header: `reexecute-mismatch` when
// they differ, an error when the repository lacks an object. Enforces the
// request's compute profile first, which may re-exec the process (argv).
ValidationResult reexecuteStage(const ChainView& chain, const Message& block,
                                const std::string& repo, int argc, char** argv);

}  // namespace pot
