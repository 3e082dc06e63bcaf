// libFuzzer target: pot-chaind's request handler (answerQuery, what the server calls for each
// request) against a real chain store in a temporary folder, filled with the blocks of
// bench/fuzz/seeds.sh's chain. Input: the request's frames (fuzz_frames.h). Invariants: an
// submit names its rejection only when refused, and the reply always has frames.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_frames.h"
#include "libcommon/core/fileio.h"
#include "libcommon/net/chaind_queries.h"

namespace {

std::unique_ptr<pot::chaind::ChainStore> store;
std::unique_ptr<pot::chaind::PendingPool> pending;
std::string storeDir;
uint64_t now = 0;

void removeStore() {
  store.reset();
  std::error_code ignored;
  std::filesystem::remove_all(storeDir, ignored);
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fuzz_chaind_request: %s\n", what.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string dir = pot::fuzz::chainFolder();
  char tmpl[] = "/tmp/pot-fuzz-chaind.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) die("cannot make a temporary folder");
  storeDir = tmpl;
  std::atexit(removeStore);
  auto s = pot::chaind::ChainStore::open(storeDir + "/db", dir + "/genesis", false);
  if (!s) die("cannot open the store: " + s.status().message());
  store = std::move(*s);
  std::vector<std::filesystem::path> blocks;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/chain")) blocks.push_back(e);
  std::sort(blocks.begin(), blocks.end());
  for (const auto& path : blocks) {
    auto bytes = pot::readFile(path.string(), 1 << 24);
    if (!bytes) die(bytes.status().message());
    auto r = store->importBlock(*bytes, UINT64_MAX / 2);
    if (!r) die("cannot import " + path.string() + ": " + r.status().message());
  }
  auto tip = store->tip();
  if (!tip) die(tip.status().message());
  now = tip->timestamp + 3600;
  pending = std::make_unique<pot::chaind::PendingPool>();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pot::net::Frames request = pot::fuzz::framesOf(data, size);
  pot::chaind::QueryContext context{*store, pending.get(), now, nullptr};
  pot::chaind::QueryAnswer answer = pot::chaind::answerQuery(context, request);
  if (answer.status.isOk() && answer.rejected != pot::RejectReason::kNone) __builtin_trap();
  pot::net::Frames reply = std::move(answer).reply();
  if (reply.empty()) __builtin_trap();
  return 0;
}
