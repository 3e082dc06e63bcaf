// Known-answer vectors for `pot-train-stage selfcheck`: where the file is, what it says, and
// the verdict on this machine's results (DESIGN 4.4). No libtorch.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot {

// One known-answer stage as computed here.
struct SelfcheckCase {
  std::string name;
  Hash256 rho;
  Hash256 stateHash;
};

// One profile's known answers by case name, as the file's hex text.
struct KnownAnswer {
  std::string rho;
  std::string stateHash;
};
using KnownAnswers = std::map<std::string, KnownAnswer>;

// The vectors file: blank lines and '#' comments, else "PROFILE CASE RHO
// STATE_HASH" per line. Returns the lines of `profile`; a line with fewer
// fields is malformed (3). `source` names the file in messages.
Result<KnownAnswers> parseSelfcheckVectors(std::string_view text, const std::string& profile,
                                           const std::string& source);

// Reads and parses the file at `path`; an unreadable file is an I/O error (4).
Result<KnownAnswers> readSelfcheckVectors(const std::string& path, const std::string& profile);

struct SelfcheckRow {
  SelfcheckCase computed;
  bool match = false;  // rho and state hash both equal the known answer
};
std::vector<SelfcheckRow> compareSelfcheck(const std::vector<SelfcheckCase>& computed,
                                           const KnownAnswers& answers);

// "PROFILE CASE RHO STATE ok|MISMATCH" per row, or a JSON array of
// {"profile", "case", "rho", "stateHash", "match"}.
std::string selfcheckReport(const std::string& profile, const std::vector<SelfcheckRow>& rows,
                            bool json);

// ok when every row matches; I/O (4) when `source` has no vectors for the
// profile (the machine cannot be judged); invalid (1) when some row differs.
Status selfcheckStatus(const std::string& profile, const std::string& source,
                       const KnownAnswers& answers, const std::vector<SelfcheckRow>& rows);

// Where the vectors file is looked for, in order (man/pot-train-stage.1):
// `explicitPath` (--vectors) when given, used as is; then
// <executableDir>/../share/pot/selfcheck-vectors.txt (an installed copy);
// then `sourceTreePath` (the build's source tree). The first that exists
// wins; none is an I/O error (4) that lists them.
Result<std::string> findSelfcheckVectorsIn(const std::string& explicitPath,
                                           const std::string& executableDir,
                                           const std::string& sourceTreePath);

// The same for this process: the directory of /proc/self/exe and the source
// tree path compiled in.
Result<std::string> findSelfcheckVectors(const std::string& explicitPath);

// The vectors file of the source tree this library was built from.
const char* sourceTreeSelfcheckVectors();

}  // namespace pot
