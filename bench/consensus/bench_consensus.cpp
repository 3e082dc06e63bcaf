// Consensus speed: validating a block, applying and undoing it, drawing stakeholders; ratios to one
// Ed25519 verify.
#include <capnp/message.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/block_assembly.h"
#include "libcommon/consensus/declaration.h"
#include "libcommon/consensus/header.h"
#include "libcommon/consensus/memory_chain.h"
#include "libcommon/consensus/poa.h"
#include "libcommon/consensus/state_transition.h"
#include "libcommon/consensus/transaction.h"
#include "libcommon/consensus/validate.h"
#include "libcommon/core/canonical.h"

namespace {

using Clock = std::chrono::steady_clock;

template <typename F>
double secondsPerRun(F f, int runs) {
  auto t0 = Clock::now();
  for (int i = 0; i < runs; ++i) f();
  return std::chrono::duration<double>(Clock::now() - t0).count() / runs;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "bench_consensus: error: %s\n", what.c_str());
  std::exit(70);
}

template <typename T>
T must(pot::Result<T> r, const char* what) {
  if (!r) die(std::string(what) + ": " + r.status().message());
  return std::move(r.value());
}

pot::Bytes request(const pot::SigningKey& employer, uint32_t c) {
  capnp::MallocMessageBuilder mb;
  auto req = mb.initRoot<pot::schema::Envelope>().initTrainingRequest();
  auto b = req.initBody();
  auto pub = employer.publicKey();
  b.setEmployer(kj::arrayPtr(pub.data(), 32));
  b.initArchitecture().setBuiltin("mlp:4-3-2");
  pot::Hash256 s0 = pot::sha256("S0");
  b.setInitialState(kj::arrayPtr(s0.data(), 32));
  auto batches = b.initStageBatches(4);
  for (uint32_t i = 0; i < 4; ++i) {
    auto h = pot::sha256("B" + std::to_string(i));
    batches.set(i, kj::arrayPtr(h.data(), 32));
  }
  b.setDeclarers(c);
  pot::Bytes sig = pot::signBody(employer, pot::Domain::kRequest, b.asReader());
  req.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return pot::encodeMessage(mb.getRoot<pot::schema::Envelope>().asReader());
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t kDeclarers = 4, kStakeholders = 5, kTxs = argc > 1 ? std::atoi(argv[1]) : 100;
  const uint32_t kAccounts = argc > 2 ? std::atoi(argv[2]) : 100000;
  std::vector<pot::SigningKey> keys;
  for (int i = 0; i < 8; ++i) keys.push_back(must(pot::SigningKey::generate(), "keygen"));
  std::map<pot::PublicKey, const pot::SigningKey*> byPub;
  for (auto& k : keys) byPub[k.publicKey()] = &k;

  pot::GenesisOptions g;
  g.params = pot::defaultChainParams();
  g.params.stakeholders = kStakeholders;
  g.params.minStakeAge = 10;
  g.deriveDeclarationTarget = g.deriveHeaderTarget = false;
  for (auto& k : keys) g.allocations.push_back({k.publicKey(), 1000ull * 100000000ull});
  g.timestamp = 1700000000;
  g.dummyRequest = request(keys[0], kDeclarers);
  auto genesisBytes = must(pot::makeGenesis(g), "genesis");
  auto genesis = must(pot::parseGenesis(std::shared_ptr<const pot::Message>(
                          must(pot::decodeMessage(genesisBytes), "decode genesis"))),
                      "parse genesis");
  auto chain = must(pot::MemoryChain::create(genesis), "chain");
  const uint64_t now = g.timestamp + 1000;
  const pot::Hash256 model = genesis.dummyModel->modelId;

  // One block: C declarations, a header, K-1 signatures, kTxs transfers from key 7.
  std::vector<pot::MessagePtr> tds, sigs, txs;
  pot::DeclareOptions d;
  d.modelId = model;
  d.stage = 1;
  d.stateHash = pot::sha256("S1");
  d.rho = pot::sha256("rho");
  for (uint32_t i = 0; i < kDeclarers; ++i)
    tds.push_back(must(
        pot::decodeMessage(must(pot::declare(*chain, keys[i], d, pot::fixedClock(now)), "declare")),
        "td"));
  std::vector<const pot::Message*> tdPtrs;
  for (auto& m : tds) tdPtrs.push_back(m.get());
  pot::BuildHeaderOptions ho;
  ho.rho = d.rho;
  ho.stateHash = d.stateHash;
  auto header =
      must(pot::decodeMessage(
               must(pot::buildHeader(*chain, keys[4], tdPtrs, ho, pot::fixedClock(now)), "header")
                   .header),
           "h");
  for (uint32_t i = 0; i < kTxs; ++i)
    txs.push_back(must(
        pot::decodeMessage(pot::makeTransfer(keys[7], i, 1, keys[6].publicKey(), 1000)), "tx"));
  auto drawn = must(pot::stakeholdersOf(*chain, header->envelope().getBlockHeader()), "draw");
  pot::BlockParts parts;
  parts.header = header.get();
  for (uint32_t k = 1; k < kStakeholders; ++k) {
    auto out = must(pot::stake(*chain, *byPub.at(drawn[k - 1]), parts), "sign");
    sigs.push_back(must(pot::decodeMessage(out.message), "sig"));
    parts.signatures.push_back(sigs.back().get());
  }
  parts.declarations = tdPtrs;
  for (auto& t : txs) parts.transactions.push_back(t.get());
  auto blockBytes = must(pot::stake(*chain, *byPub.at(drawn.back()), parts), "wrap").message;
  auto block = must(pot::decodeMessage(blockBytes), "block");

  // Baseline: one Ed25519 verification of a short message.
  pot::Bytes msg(200, 7);
  pot::Bytes sig = keys[0].sign(msg);
  const double verify = secondsPerRun(
      [&] {
        if (!pot::verifySignature(keys[0].publicKey(), msg.data(), msg.size(), sig.data(),
                                  sig.size()))
          die("verify");
      },
      2000);
  const int signatures = 1 + kDeclarers + (kStakeholders - 1) + 1 + kTxs;
  const double validate = secondsPerRun(
      [&] {
        if (!pot::validateBlock(*chain, *block, now).valid()) die("block invalid");
      },
      50);
  const pot::LedgerReader& parent = *chain->stateAt(chain->tip().id);
  const double applyUndo = secondsPerRun(
      [&] {
        pot::MemoryLedger copy;
        if (!pot::copyLedger(parent, copy)) die("copy");
        auto u =
            pot::applyBlock(copy, block->envelope().getBlock(), chain->params(), pot::sha256("id"));
        if (!u || !pot::undoBlock(copy, *u)) die("apply/undo");
      },
      50);

  pot::MemoryLedger big;
  for (uint32_t i = 0; i < kAccounts; ++i)
    if (!big.putAccount(pot::sha256("acct" + std::to_string(i)), {1000 + i, 0, 0})) die("put");
  const double ftc = secondsPerRun(
      [&] {
        if (!pot::followTheCoin(big, pot::sha256("header"), kStakeholders)) die("ftc");
      },
      5);

  std::printf("ed25519 verify (baseline)       %10.1f us\n", verify * 1e6);
  std::printf("validateBlock C=%u K=%u txs=%u  %10.1f us  = %.2f x %d signature checks\n",
              kDeclarers, kStakeholders, kTxs, validate * 1e6, validate / (verify * signatures),
              signatures);
  std::printf("applyBlock+undoBlock (8 accts)  %10.1f us  = %.2f verifies\n", applyUndo * 1e6,
              applyUndo / verify);
  std::printf("followTheCoin K=%u, %u accounts %10.1f ms  = %.0f verifies\n", kStakeholders,
              kAccounts, ftc * 1e3, ftc / verify);
  return 0;
}
