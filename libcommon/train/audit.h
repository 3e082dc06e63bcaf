// pot-audit: re-running a model's recorded stages and judging each against its block header
// (DESIGN 4.8). Built only into tools that link pot::train; no torch types appear here.
#pragma once

#include <functional>
#include <ostream>

#include "libcommon/consensus/chain_view.h"
#include "libcommon/train/audit_report.h"

namespace pot {

// Where the auditor gets repository objects by their hash: a folder or a
// pot-repo endpoint (the tool decides; train/ does not include net/). Any
// failure makes the stage that needs the object "missing"; the bytes are
// re-hashed here whatever the source promises.
using ObjectSource = std::function<Result<Bytes>(const Hash256&)>;

// Audits the stages of options.modelId that the options select on `chain`'s
// best chain. Enforces the request's compute profile once (which may re-exec
// the process with argv), then re-runs each stage in a child process forked
// from this one, at most options.jobs at a time: every stage starts from the
// same process state, as a fresh pot-train-stage would, so the bits do not
// depend on the number of jobs. Writes a line per stage in chain order and a
// summary to `out` (or the --json document), progress to `err` when it is a
// terminal, and the resume file after each stage. Any mismatch or missing
// object is invalid (1).
Status runAudit(const ChainView& chain, const AuditOptions& options, const ObjectSource& objects,
                int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace pot
