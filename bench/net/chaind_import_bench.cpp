// Block import rate of pot-chaind's store against the bare cost of each block's signature checks.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "libcommon/consensus/block.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/message_io.h"
#include "libcommon/store/chain_store.h"

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t).count();
}

pot::PublicKey key(capnp::Data::Reader d) { return *pot::Hash256::fromBytes(d.begin(), d.size()); }

template <typename R>
bool verify(pot::Domain domain, capnp::Data::Reader pub, R signed_) {
  auto sig = signed_.getSignature();
  return pot::verifyBody(key(pub), domain, signed_.getBody(), sig.begin(), sig.size());
}

// Every signature a validator checks in a block: the wrapper's, the header's,
// each declaration's, each stakeholder's, each transaction's.
int verifyAll(const pot::Message& m) {
  auto b = m.envelope().getBlock();
  auto body = b.getBody();
  int n = 0;
  n += verify(pot::Domain::kBlock, body.getWrapper(), b);
  n += verify(pot::Domain::kHeader, body.getHeader().getBody().getPubkey(), body.getHeader());
  for (auto td : body.getDeclarations())
    n += verify(pot::Domain::kDeclaration, td.getBody().getPubkey(), td);
  for (auto s : body.getStakeholderSignatures())
    n += verify(pot::Domain::kStakeSig, s.getBody().getPubkey(), s);
  for (auto tx : body.getTransactions())
    n += verify(pot::Domain::kTx, tx.getBody().getSender(), tx);
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_chaind_import GENESIS BLOCK...\n");
    return 2;
  }
  std::vector<pot::Bytes> blocks;
  std::vector<pot::MessagePtr> messages;
  for (int i = 2; i < argc; ++i) {
    auto b = pot::readFile(argv[i], 64ull << 20);
    auto m = b ? pot::decodeMessage(*b) : pot::Result<pot::MessagePtr>(b.status());
    if (!m) {
      std::fprintf(stderr, "bench_chaind_import: %s: %s\n", argv[i], m.status().message().c_str());
      return 3;
    }
    blocks.push_back(*b);
    messages.push_back(std::move(*m));
  }
  // Baseline: the signature checks alone, repeated to steady the figure.
  int sigs = 0;
  auto t0 = Clock::now();
  const int reps = 20;
  for (int r = 0; r < reps; ++r)
    for (const auto& m : messages) sigs += verifyAll(*m);
  const double sigUs = since(t0) / reps / messages.size();
  sigs /= reps;
  // Import into a fresh store, three times; each block's transaction commits
  // (and fsyncs) before the next, as pot-chaind acknowledges them.
  double best = 1e300;
  for (int run = 0; run < 3; ++run) {
    char tmpl[] = "/tmp/pot-bench-chaind-XXXXXX";
    if (!mkdtemp(tmpl)) return 4;
    auto store = pot::chaind::ChainStore::open(std::string(tmpl) + "/db", argv[1], false);
    if (!store) {
      std::fprintf(stderr, "bench_chaind_import: %s\n", store.status().message().c_str());
      return 4;
    }
    auto t = Clock::now();
    for (const auto& b : blocks) {
      auto r = (*store)->importBlock(b, UINT64_MAX);
      if (!r || !r->tipChanged) {
        std::fprintf(stderr, "bench_chaind_import: import failed: %s\n",
                     r.status().message().c_str());
        return 1;
      }
    }
    best = std::min(best, since(t) / blocks.size());
    store->reset();
    std::filesystem::remove_all(tmpl);
  }
  std::printf("blocks %zu, signatures per block %.1f\n", blocks.size(),
              static_cast<double>(sigs) / messages.size());
  std::printf("signature checks per block (baseline)  %9.1f us  1.00\n", sigUs);
  std::printf("chaind import per block (best of 3)   %9.1f us  %.2f x baseline  (%.0f blocks/s)\n",
              best, best / sigUs, 1e6 / best);
  return 0;
}
