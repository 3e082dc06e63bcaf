// pot-stake: Alg. 2 steps 4-5, sign a header as one of its K stakeholders or wrap it into a block
// as the K-th; `pot-stake duties` says which of these a key owes the headers on the tip.
#include <chrono>
#include <iostream>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/block_assembly.h"
#include "libcommon/consensus/duties.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/spool.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Proof of activity (Alg. 2 steps 4-5): endorse a header as stakeholder k < K, or build "
      "and sign its block as stakeholder K.",
      "pot-stake"};
  app.require_subcommand(0, 1);
  pot::ChainArgs chain;
  std::string keyPath, headerPath, spool, pending, out = "-";
  std::vector<std::string> declarations, signatures, transactions;
  bool list = false, json = false;
  app.add_option("--header", headerPath, "The block header (required without a subcommand)");
  app.add_option("-k,--key", keyPath, "This stakeholder's private key");
  chain.add(app, /*clock=*/false);
  app.add_option("-d,--declaration", declarations, "Declarations the header names (wrapper only)");
  app.add_option("--signature", signatures, "Stakeholder signatures already made for this header");
  app.add_option("--spool", spool,
                 "pot-gossip's spool folder: its declarations and the signatures that count "
                 "join -d and --signature");
  app.add_option("--tx", transactions, "Pending transactions to include, in order (wrapper only)");
  app.add_option("--pending", pending,
                 "A stream of pending transactions (pot-chaind query pending), after any --tx");
  app.add_flag("--list", list, "Only print the K stakeholders of the header, in order");
  app.add_option("-o,--output", out, "Signature or block file to write ('-' for stdout)");
  app.add_flag("--json", json, "Machine-readable report");

  pot::ChainArgs dutyChain;
  std::string dutyKey, dutySpool;
  pot::EndorsePolicy policy = pot::kDefaultEndorsePolicy;
  uint64_t nowMs = 0;
  auto* duties = app.add_subcommand(
      "duties",
      "Print what a key owes the headers on the best tip found in a spool folder: "
      "'sign ID K FILE' or 'wrap ID K FILE' lines");
  duties->add_option("-k,--key", dutyKey, "The stakeholder: a PEM key file or 64 hex digits")
      ->required();
  duties->add_option("--spool", dutySpool, "pot-gossip's spool folder")->required();
  dutyChain.add(*duties, /*clock=*/false);
  duties
      ->add_option("--window-ms", policy.windowMs,
                   "Fork policy: wait this long after the first header on the tip arrived, then "
                   "endorse only the lowest-kernel header that arrived by then (0: endorse every "
                   "header at once, no policy)")
      ->capture_default_str();
  duties
      ->add_option("--lock-ms", policy.lockMs,
                   "Fork policy: after this long since the first header on the tip, endorse "
                   "every header on it (so an offline stakeholder cannot halt the chain)")
      ->capture_default_str();
  duties->add_option("--now-ms", nowMs, "The clock in ms since the epoch (default: the system's)");

  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (duties->parsed()) {
      if (policy.windowMs > 0 && policy.lockMs < policy.windowMs)
        return pot::Status::usage("--lock-ms must be at least --window-ms");
      auto me = pot::parseAddressArg(dutyKey, "--key");
      if (!me) return me.status();
      auto c = dutyChain.load();
      if (!c) return c.status();
      auto headers = pot::readSpool(dutySpool, pot::schema::Envelope::BLOCK_HEADER);
      if (!headers) return headers.status();
      auto sigs = pot::readSpool(dutySpool, pot::schema::Envelope::STAKEHOLDER_SIGNATURE);
      if (!sigs) return sigs.status();
      std::map<const pot::Message*, std::string> pathOf;
      std::vector<pot::ArrivedHeader> arrived;
      for (const auto& e : *headers) {
        pathOf[e.message.get()] = e.path;
        arrived.push_back({e.message.get(), e.arrivedMs});
      }
      if (nowMs == 0)
        nowMs = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
      for (const auto& d :
           pot::stakeDuties(**c, *me, pot::headersToEndorse(**c, arrived, nowMs, policy),
                            pot::pointersOf(*sigs)))
        std::cout << (d.kind == pot::StakeDuty::Kind::kWrap ? "wrap " : "sign ") << d.headerId.hex()
                  << " " << d.index << " " << pathOf.at(d.header) << "\n";
      return pot::Status::ok();
    }
    if (headerPath.empty()) return pot::Status::usage("give --header HEADER (or a subcommand)");
    auto header = pot::readMessage(headerPath, pot::schema::Envelope::BLOCK_HEADER);
    if (!header) return header.status();
    auto c = chain.load();
    if (!c) return c.status();
    auto headerReader = (*header)->envelope().getBlockHeader();
    if (list) {
      auto drawn = pot::stakeholdersOf(**c, headerReader);
      if (!drawn) return drawn.status();
      if (json) {
        pot::JsonWriter w;
        w.beginArray();
        for (const auto& k : *drawn) w.value(k.hex());
        std::cout << w.endArray().str() << "\n";
      } else {
        for (const auto& k : *drawn) std::cout << k.hex() << "\n";
      }
      return pot::Status::ok();
    }
    if (keyPath.empty()) return pot::Status::usage("give -k KEY (or --list)");
    auto key = pot::SigningKey::load(keyPath);
    if (!key) return key.status();
    auto tds = pot::readMessages(declarations, pot::schema::Envelope::TRAINING_DECLARATION);
    if (!tds) return tds.status();
    auto sigs = pot::readMessages(signatures, pot::schema::Envelope::STAKEHOLDER_SIGNATURE);
    if (!sigs) return sigs.status();
    auto txs = pot::readMessages(transactions, pot::schema::Envelope::TRANSACTION);
    if (!txs) return txs.status();
    std::vector<pot::MessagePtr> pendingTxs;
    if (!pending.empty()) {
      auto more = pot::readMessageStream(pending, pot::schema::Envelope::TRANSACTION);
      if (!more) return more.status();
      pendingTxs = std::move(*more);
    }
    pot::BlockParts parts;
    parts.header = header->get();
    for (auto& m : *tds) parts.declarations.push_back(m.get());
    for (auto& m : *sigs) parts.signatures.push_back(m.get());
    for (auto& m : *txs) parts.transactions.push_back(m.get());
    pot::SpooledParts spooled;
    if (!spool.empty()) POT_TRY(pot::addSpooledParts(**c, spool, parts, spooled));
    auto result = pot::stakeWithPending(**c, *key, parts, pot::pointersOf(pendingTxs));
    if (!result) return result.status();
    POT_TRY(pot::writeOutput(out, result->message, /*binary=*/true));
    std::ostream& report = out == "-" ? std::cerr : std::cout;
    std::string id;
    if (result->isBlock) {
      auto m = pot::decodeMessage(result->message);
      if (!m) return m.status();
      id = pot::blockIdOf((*m)->envelope().getBlock()).hex();
    }
    if (json) {
      pot::JsonWriter w;
      w.beginObject()
          .field("role", result->isBlock ? "wrapper" : "stakeholder")
          .field("index", result->index);
      if (!id.empty()) w.field("block", id);
      report << w.endObject().str() << "\n";
    } else if (out != "-")
      report << (result->isBlock ? "block " + id : "signature " + std::to_string(result->index))
             << "\n";
    return pot::Status::ok();
  });
}
