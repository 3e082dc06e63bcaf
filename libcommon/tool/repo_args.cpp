// --repo / --repo-endpoint as an ObjectSource.
#include "libcommon/tool/repo_args.h"

#include "libcommon/core/fileio.h"
#include "libcommon/net/repo.h"

namespace pot {
namespace {
// A state or module object is at most this large (as pot-audit reads them).
constexpr uint64_t kMaxObjectBytes = 1ull << 30;
}  // namespace

void RepoArgs::add(CLI::App& app) {
  app.add_option("--repo", dir, "The employer's repository folder (objects/<sha256 hex>)");
  app.add_option("--repo-endpoint", endpoint, "A pot-repo server to fetch objects from");
  app.add_option("--timeout", timeoutMs, "Milliseconds to wait for each object (--repo-endpoint)");
}

Result<ObjectSource> RepoArgs::source() const {
  if (dir.empty() == endpoint.empty())
    return Status::usage("give exactly one of --repo DIR or --repo-endpoint ENDPOINT");
  if (!dir.empty()) {
    const std::string d = dir;
    return ObjectSource([d](const Hash256& h) {
      return readFile(d + "/objects/" + h.hex(), kMaxObjectBytes);
    });
  }
  const std::string ep = endpoint;
  const int timeout = timeoutMs;
  return ObjectSource([ep, timeout](const Hash256& h) {
    return repo::fetch(ep, h, timeout, kMaxObjectBytes);
  });
}

}  // namespace pot
