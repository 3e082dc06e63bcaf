// libFuzzer target: validateBlockBytes against a small real chain (genesis and blocks made by
// the tools, bench/fuzz/seeds.sh). Invariants: a verdict is valid exactly when no rule is
// named; a valid block re-encodes to its own bytes, extends a block the chain knows and is
// judged the same again (validation has no hidden state).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "fuzz_frames.h"
#include "libcommon/consensus/memory_chain.h"
#include "libcommon/consensus/validate.h"
#include "libcommon/core/data_field.h"

namespace {

std::unique_ptr<pot::MemoryChain> chain;
uint64_t now = 0;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string dir = pot::fuzz::chainFolder();
  auto c = pot::loadChain(dir + "/genesis", dir + "/chain");
  if (!c) {
    std::fprintf(stderr, "cannot load the fuzz chain: %s\n", c.status().message().c_str());
    std::abort();
  }
  chain = std::move(*c);
  // A clock well past the tip, so time-too-new is one rule among others.
  now = chain->tip().timestamp + 3600;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;
  pot::Bytes bytes(data, data + size);
  auto v = pot::validateBlockBytes(*chain, bytes, now);
  if (v.valid() != (v.reason == pot::RejectReason::kNone)) __builtin_trap();
  if (!v.valid()) return 0;
  auto m = pot::decodeMessage(bytes);
  if (!m) __builtin_trap();
  pot::Bytes again = pot::encodeMessage((*m)->envelope());
  if (again != bytes) __builtin_trap();
  auto parent = chain->blockInfo(
      pot::hashFrom((*m)->envelope().getBlock().getBody().getHeader().getBody().getParent()));
  if (!parent || v.height != parent->height + 1) __builtin_trap();
  auto twice = pot::validateBlockBytes(*chain, bytes, now);
  if (!twice.valid() || twice.blockId != v.blockId) __builtin_trap();
  return 0;
}
