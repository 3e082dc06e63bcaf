// Bulk import against the bound its signatures set, and the per-block cost against the model's
// size.
//
//   bench_bulk_import make DIR BLOCKS STAGES   a chain of BLOCKS real blocks (C = 2, K = 3) of a
//                                              dummy model of STAGES stages: DIR/genesis and
//                                              DIR/NNNNNN.block, made with the consensus library
//   bench_bulk_import bound DIR [N...]         blocks/s of bulk import (1 core, all cores) against
//                                              the chain's signature checks (1 core, all cores),
//                                              for the first N blocks (default: all), same run
//   bench_bulk_import stages DIR...            bulk-import time per block (1 core) of each chain,
//                                              as a ratio to the first one's
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/block_assembly.h"
#include "libcommon/consensus/compute_profile.h"
#include "libcommon/consensus/declaration.h"
#include "libcommon/consensus/header.h"
#include "libcommon/consensus/memory_chain.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/parallel.h"
#include "libcommon/store/chain_store.h"
#include "tests/unit/consensus/make_request.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_bulk_import: error: %s\n", what.c_str());
  std::exit(70);
}
template <typename T>
T must(pot::Result<T> r, const std::string& what) {
  if (!r) die(what + ": " + r.status().message());
  return std::move(r.value());
}
void must(const pot::Status& s, const std::string& what) {
  if (!s) die(what + ": " + s.message());
}
double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}
// CPU seconds of this process (every thread): on a machine other jobs
// share, the 1-core figures are steadier by CPU time than by wall time.
double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
double threadCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}
struct Times {
  double wall = 1e300, cpu = 1e300;
  double applyCpu = 1e300;  // import: the applying (calling) thread's own CPU time
  void keepBest(const Times& t) {
    wall = std::min(wall, t.wall);
    cpu = std::min(cpu, t.cpu);
    applyCpu = std::min(applyCpu, t.applyCpu);
  }
};

// ---- make: a chain of real blocks with the consensus library

int make(const std::string& dir, uint32_t blocks, uint32_t stages) {
  std::vector<pot::SigningKey> nodes;
  for (int i = 0; i < 4; ++i) nodes.push_back(must(pot::SigningKey::generate(), "keygen"));
  auto employer = must(pot::SigningKey::generate(), "keygen");
  std::map<pot::PublicKey, const pot::SigningKey*> keys;
  for (auto& n : nodes) keys[n.publicKey()] = &n;
  const uint64_t g0 = 1700000000;
  pot::GenesisOptions g;
  g.params = pot::defaultChainParams();
  g.params.stakeholders = 3;
  g.params.minStakeAge = 10;
  g.params.declarationBaseTarget = g.params.headerBaseTarget = pot::uint256Max();
  g.deriveDeclarationTarget = g.deriveHeaderTarget = false;
  for (auto& n : nodes) g.allocations.push_back({n.publicKey(), 1000ull * 100000000ull});
  g.timestamp = g0;
  g.dummyRequest = pot::testing::makeRequest(employer, stages, 2, 0, "bench");
  const pot::Bytes genesisBytes = must(pot::makeGenesis(g), "genesis");
  auto genesis = must(pot::parseGenesis(std::shared_ptr<const pot::Message>(
                          must(pot::decodeMessage(genesisBytes), "decode genesis"))),
                      "parse genesis");
  const pot::Hash256 model = genesis.dummyModel->modelId;
  auto chain = must(pot::MemoryChain::create(genesis), "chain");
  fs::create_directories(dir);
  must(pot::writeFileAtomic(dir + "/genesis", genesisBytes), "write genesis");
  for (uint32_t s = 1; s <= blocks; ++s) {
    const uint64_t now = g0 + 100ull * s;
    const pot::Clock clock = pot::fixedClock(now);
    const pot::Hash256 rho = pot::sha256("rho-" + std::to_string(s));
    const pot::Hash256 state = pot::sha256("state-" + std::to_string(s));
    std::vector<pot::MessagePtr> tds;
    for (int i = 0; i < 2; ++i) {
      pot::DeclareOptions d;
      d.modelId = model;
      d.stateHash = state;
      d.rho = rho;
      auto& key = nodes[(s + i) % 4];
      tds.push_back(must(pot::decodeMessage(must(pot::declare(*chain, key, d, clock), "declare")),
                         "declaration"));
    }
    std::vector<const pot::Message*> tdPtrs{tds[0].get(), tds[1].get()};
    pot::BuildHeaderOptions ho;
    ho.rho = rho;
    ho.stateHash = state;
    auto header = must(
        pot::decodeMessage(
            must(pot::buildHeader(*chain, nodes[(s + 2) % 4], tdPtrs, ho, clock), "header").header),
        "header");
    auto drawn = must(pot::stakeholdersOf(*chain, header->envelope().getBlockHeader()), "draw");
    pot::BlockParts parts;
    parts.header = header.get();
    std::vector<pot::MessagePtr> sigs;
    for (size_t k = 1; k < drawn.size(); ++k) {
      auto out = must(pot::stake(*chain, *keys.at(drawn[k - 1]), parts), "sign");
      sigs.push_back(must(pot::decodeMessage(out.message), "signature"));
      parts.signatures.push_back(sigs.back().get());
    }
    parts.declarations = tdPtrs;
    auto wrapped = must(pot::stake(*chain, *keys.at(drawn.back()), parts), "wrap");
    auto block = must(pot::decodeMessage(wrapped.message), "block");
    must(chain->addBlock(*block, now), "block " + std::to_string(s));
    char name[32];
    std::snprintf(name, sizeof name, "/%06u.block", s);
    must(pot::writeFileAtomic(dir + name, wrapped.message), "write block");
  }
  std::printf("%s: %u blocks of a %u-stage model\n", dir.c_str(), blocks, stages);
  return 0;
}

// ---- measurements

std::vector<pot::Bytes> loadBlocks(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".block") names.push_back(e.path().string());
  std::sort(names.begin(), names.end());
  std::vector<pot::Bytes> out;
  for (const auto& n : names) out.push_back(must(pot::readFile(n, 64ull << 20), n));
  return out;
}

// Pins this process (all its threads to come) to `cores` CPUs of those it may use.
std::vector<int> allowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  sched_getaffinity(0, sizeof set, &set);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}
void pin(const std::vector<int>& cpus, size_t cores) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (size_t i = 0; i < cores && i < cpus.size(); ++i) CPU_SET(cpus[i], &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
}

// Every signature a validator checks in the blocks, each once: the
// header's, the declarations', the stakeholders', the wrapper's (and any
// transaction's or registered request's): the bound import cannot beat.
template <typename R>
bool verify(pot::Domain domain, capnp::Data::Reader pub, R signed_) {
  auto sig = signed_.getSignature();
  return pot::verifyBody(pot::hashFrom(pub), domain, signed_.getBody(), sig.begin(), sig.size());
}
size_t verifyAll(const pot::Message& m) {
  auto b = m.envelope().getBlock();
  auto body = b.getBody();
  size_t n = verify(pot::Domain::kBlock, body.getWrapper(), b);
  n += verify(pot::Domain::kHeader, body.getHeader().getBody().getPubkey(), body.getHeader());
  for (auto td : body.getDeclarations())
    n += verify(pot::Domain::kDeclaration, td.getBody().getPubkey(), td);
  for (auto s : body.getStakeholderSignatures())
    n += verify(pot::Domain::kStakeSig, s.getBody().getPubkey(), s);
  for (auto tx : body.getTransactions()) {
    n += verify(pot::Domain::kTx, tx.getBody().getSender(), tx);
    if (tx.getBody().isRegisterModel())
      n += verify(pot::Domain::kRequest, tx.getBody().getRegisterModel().getBody().getEmployer(),
                  tx.getBody().getRegisterModel());
  }
  return n;
}
Times boundSeconds(const std::vector<pot::MessagePtr>& msgs, unsigned threads, size_t& sigs) {
  std::vector<size_t> counts(msgs.size());
  auto t = Clock::now();
  const double c = cpuSeconds();
  pot::parallelFor(msgs.size(), threads, [&](size_t i) { counts[i] = verifyAll(*msgs[i]); });
  const Times s{secondsSince(t), cpuSeconds() - c};
  sigs = 0;
  for (size_t c : counts) sigs += c;
  return s;
}

// Seconds for a bulk import of `blocks` into a fresh store.
Times importSeconds(const std::string& genesis, const std::vector<pot::Bytes>& blocks,
                    unsigned threads) {
  char tmpl[] = "/tmp/pot-bench-bulk-XXXXXX";
  if (!mkdtemp(tmpl)) die("mkdtemp");
  Times s;
  {
    auto store = must(pot::chaind::ChainStore::open(std::string(tmpl) + "/db", genesis, false),
                      "open store");
    pot::chaind::BulkOptions o;
    o.threads = threads;
    // To compare batch sizes: POT_BENCH_PER_COMMIT=N (default: the store's).
    if (const char* per = std::getenv("POT_BENCH_PER_COMMIT"))
      o.blocksPerCommit = std::strtoull(per, nullptr, 10);
    size_t tips = 0;
    auto t = Clock::now();
    const double c = cpuSeconds(), a = threadCpuSeconds();
    must(store->importBlocks(
             blocks, UINT64_MAX,
             [&](size_t, const pot::chaind::ImportResult& r) { tips += r.tipChanged; }, nullptr, o),
         "import");
    s = Times{secondsSince(t), cpuSeconds() - c, threadCpuSeconds() - a};
    if (tips != blocks.size()) die("a block did not extend the tip");
  }
  fs::remove_all(tmpl);
  // The store's deletion and write-back done now, not by kernel threads on
  // the cores of the measurement that follows.
  ::sync();
  return s;
}

int bound(const std::string& dir, std::vector<size_t> sizes) {
  const auto all = loadBlocks(dir);
  if (sizes.empty()) sizes.push_back(all.size());
  const auto cpus = allowedCpus();
  std::printf("cores %zu\n", cpus.size());
  std::printf("%7s %8s %11s %11s %11s %11s %9s %9s %9s %11s\n", "blocks", "sigs", "bound1 b/s",
              "boundN b/s", "import1 b/s", "importN b/s", "imp1/bnd1", "impN/bnd1", "impN/bndN",
              "cpu i1/b1");
  std::vector<double> perBlock;
  for (size_t n : sizes) {
    if (n > all.size()) die("the chain has only " + std::to_string(all.size()) + " blocks");
    std::vector<pot::Bytes> blocks(all.begin(), all.begin() + n);
    std::vector<pot::MessagePtr> msgs;
    for (const auto& b : blocks) msgs.push_back(must(pot::decodeMessage(b), "decode"));
    size_t sigs = 0;
    // Best of 5 each, interleaved, so the machine's other load hits all
    // alike; and each round's own ratios, whose median does not mix a
    // quick moment of one measure with a slow moment of another.
    Times b1, bN, i1, iN;
    std::vector<double> round1, roundN;  // bound 1 core / import, per round
    for (int run = 0; run < 5; ++run) {
      pin(cpus, 1);
      const Times rb1 = boundSeconds(msgs, 1, sigs);
      const Times ri1 = importSeconds(dir + "/genesis", blocks, 1);
      pin(cpus, cpus.size());
      const Times rbN = boundSeconds(msgs, 0, sigs);
      const Times riN = importSeconds(dir + "/genesis", blocks, 0);
      b1.keepBest(rb1);
      i1.keepBest(ri1);
      bN.keepBest(rbN);
      iN.keepBest(riN);
      round1.push_back(rb1.wall / ri1.wall);
      roundN.push_back(rb1.wall / riN.wall);
    }
    std::printf("%7zu %8zu %11.0f %11.0f %11.0f %11.0f %9.2f %9.2f %9.2f %11.2f\n", n, sigs,
                n / b1.wall, n / bN.wall, n / i1.wall, n / iN.wall, b1.wall / i1.wall,
                b1.wall / iN.wall, bN.wall / iN.wall, b1.cpu / i1.cpu);
    perBlock.push_back(iN.wall / n);
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    std::printf("        median of the rounds' own ratios: imp1/bnd1 %.2f, impN/bnd1 %.2f\n",
                median(round1), median(roundN));
    // Where the time goes on all cores: the applying thread (in order) and
    // every thread together. On an idle machine of C cores the import can
    // run no faster than n / max(apply, all / C); the ratio of that to the
    // 1-core bound is what other jobs' load hides in the wall figures.
    const double c = static_cast<double>(cpus.size());
    std::printf(
        "        cpu per block: bound %.0f us, import %.0f us (applying thread %.0f us); "
        "on %zu idle cores <= %.0f b/s = %.2f x bound1\n",
        b1.cpu / n * 1e6, iN.cpu / n * 1e6, iN.applyCpu / n * 1e6, cpus.size(),
        n / std::max(iN.applyCpu, iN.cpu / c), b1.cpu / std::max(iN.applyCpu, iN.cpu / c));
  }
  if (perBlock.size() > 1)
    std::printf("import time per block, all cores: %zu blocks / %zu blocks = %.2f\n", sizes.back(),
                sizes.front(), perBlock.back() / perBlock.front());
  return 0;
}

int stages(const std::vector<std::string>& dirs) {
  const auto cpus = allowedCpus();
  pin(cpus, 1);  // the per-block work itself, without the other core's help
  std::printf("%-40s %8s %14s %8s %14s\n", "chain", "blocks", "cpu us/block", "ratio",
              "wall us/block");
  std::vector<std::vector<pot::Bytes>> chains;
  for (const auto& dir : dirs) chains.push_back(loadBlocks(dir));
  // Best of 5, the chains taken in turn in each round, so the machine's
  // other load reaches them alike.
  std::vector<Times> best(dirs.size());
  for (int run = 0; run < 5; ++run)
    for (size_t d = 0; d < dirs.size(); ++d)
      best[d].keepBest(importSeconds(dirs[d] + "/genesis", chains[d], 1));
  const double first = best[0].cpu / chains[0].size() * 1e6;
  for (size_t d = 0; d < dirs.size(); ++d) {
    const double us = best[d].cpu / chains[d].size() * 1e6;
    std::printf("%-40s %8zu %14.1f %8.2f %14.1f\n", dirs[d].c_str(), chains[d].size(), us,
                us / first, best[d].wall / chains[d].size() * 1e6);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "make" && argc == 5) return make(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  if (mode == "bound" && argc >= 3) {
    std::vector<size_t> sizes;
    for (int i = 3; i < argc; ++i) sizes.push_back(std::strtoull(argv[i], nullptr, 10));
    return bound(argv[2], sizes);
  }
  if (mode == "stages" && argc >= 3) return stages(std::vector<std::string>(argv + 2, argv + argc));
  std::fprintf(stderr,
               "usage: bench_bulk_import make DIR BLOCKS STAGES | bound DIR [N...] | stages "
               "DIR...\n");
  return 2;
}
