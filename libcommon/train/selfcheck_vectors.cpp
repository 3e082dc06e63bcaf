// Known-answer vectors: lookup, parsing and the selfcheck verdict (DESIGN 4.4).
#include "libcommon/train/selfcheck_vectors.h"

#include <unistd.h>

#include <sstream>

#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"

#ifndef POT_SOURCE_SELFCHECK_VECTORS
#error "the build defines POT_SOURCE_SELFCHECK_VECTORS (libcommon/train/CMakeLists.txt)"
#endif

namespace pot {

Result<KnownAnswers> parseSelfcheckVectors(std::string_view text, const std::string& profile,
                                           const std::string& source) {
  std::istringstream in{std::string(text)};
  std::string line;
  KnownAnswers out;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string p, name, rho, state;
    if (!(fields >> p >> name >> rho >> state))
      return Status::malformed("'" + source + "': bad line '" + line + "'");
    if (p == profile) out[name] = {rho, state};
  }
  return out;
}

Result<KnownAnswers> readSelfcheckVectors(const std::string& path, const std::string& profile) {
  auto text = readFile(path, 1 << 20);
  if (!text) return text.status().withContext("cannot read the known-answer vectors");
  return parseSelfcheckVectors(
      std::string_view(reinterpret_cast<const char*>(text->data()), text->size()), profile, path);
}

std::vector<SelfcheckRow> compareSelfcheck(const std::vector<SelfcheckCase>& computed,
                                           const KnownAnswers& answers) {
  std::vector<SelfcheckRow> rows;
  for (const auto& c : computed) {
    auto it = answers.find(c.name);
    bool ok = it != answers.end() && it->second.rho == c.rho.hex() &&
              it->second.stateHash == c.stateHash.hex();
    rows.push_back({c, ok});
  }
  return rows;
}

std::string selfcheckReport(const std::string& profile, const std::vector<SelfcheckRow>& rows,
                            bool json) {
  if (!json) {
    std::string out;
    for (const auto& r : rows)
      out += profile + " " + r.computed.name + " " + r.computed.rho.hex() + " " +
             r.computed.stateHash.hex() + " " + (r.match ? "ok" : "MISMATCH") + "\n";
    return out;
  }
  JsonWriter w;
  w.beginArray();
  for (const auto& r : rows)
    w.beginObject()
        .field("profile", profile)
        .field("case", r.computed.name)
        .field("rho", r.computed.rho.hex())
        .field("stateHash", r.computed.stateHash.hex())
        .field("match", r.match)
        .endObject();
  w.endArray();
  return w.str() + "\n";
}

Status selfcheckStatus(const std::string& profile, const std::string& source,
                       const KnownAnswers& answers, const std::vector<SelfcheckRow>& rows) {
  if (answers.empty())
    return Status::io("'" + source + "' has no known-answer vectors for profile '" + profile + "'");
  size_t bad = 0;
  for (const auto& r : rows)
    if (!r.match) ++bad;
  if (bad)
    return Status::invalid(std::to_string(bad) + " of " + std::to_string(rows.size()) +
                           " known-answer stages differ under profile '" + profile +
                           "': this machine does not reproduce the network's bits");
  return Status::ok();
}

Result<std::string> findSelfcheckVectorsIn(const std::string& explicitPath,
                                           const std::string& executableDir,
                                           const std::string& sourceTreePath) {
  // An explicit file is the operator's choice: a missing one is reported by
  // the read, not replaced by another file.
  if (!explicitPath.empty()) return explicitPath;
  std::vector<std::string> candidates;
  if (!executableDir.empty())
    candidates.push_back(executableDir + "/../share/pot/selfcheck-vectors.txt");
  if (!sourceTreePath.empty()) candidates.push_back(sourceTreePath);
  std::string tried;
  for (const auto& c : candidates) {
    if (::access(c.c_str(), R_OK) == 0) return c;
    tried += (tried.empty() ? "'" : ", '") + c + "'";
  }
  return Status::io("no known-answer vectors file (looked for " + tried + "); give --vectors FILE");
}

const char* sourceTreeSelfcheckVectors() { return POT_SOURCE_SELFCHECK_VECTORS; }

Result<std::string> findSelfcheckVectors(const std::string& explicitPath) {
  std::string dir;
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n > 0) {
    std::string exe(buf, static_cast<size_t>(n));
    size_t slash = exe.rfind('/');
    if (slash != std::string::npos) dir = exe.substr(0, slash);
  }
  return findSelfcheckVectorsIn(explicitPath, dir, sourceTreeSelfcheckVectors());
}

}  // namespace pot
