// pot-stake: Alg. 2 steps 4-5, sign a header as one of its K stakeholders or wrap it into a block
// as the K-th.
#include <iostream>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/block_assembly.h"
#include "libcommon/core/fileio.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Proof of activity (Alg. 2 steps 4-5): endorse a header as stakeholder k < K, or build "
      "and sign its block as stakeholder K.",
      "pot-stake"};
  pot::ChainArgs chain;
  std::string keyPath, headerPath, out = "-";
  std::vector<std::string> declarations, signatures, transactions;
  bool list = false, json = false;
  app.add_option("--header", headerPath, "The block header")->required();
  app.add_option("-k,--key", keyPath, "This stakeholder's private key");
  chain.add(app, /*clock=*/false);
  app.add_option("-d,--declaration", declarations, "Declarations the header names (wrapper only)");
  app.add_option("--signature", signatures, "Stakeholder signatures already made for this header");
  app.add_option("--tx", transactions, "Pending transactions to include, in order (wrapper only)");
  app.add_flag("--list", list, "Only print the K stakeholders of the header, in order");
  app.add_option("-o,--output", out, "Signature or block file to write ('-' for stdout)");
  app.add_flag("--json", json, "Machine-readable report");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    auto header = pot::readMessage(headerPath, pot::schema::Envelope::BLOCK_HEADER);
    if (!header) return header.status();
    auto c = chain.load();
    if (!c) return c.status();
    if (list) {
      auto drawn = pot::stakeholdersOf(**c, (*header)->envelope().getBlockHeader());
      if (!drawn) return drawn.status();
      if (json) {
        std::cout << "[";
        for (size_t i = 0; i < drawn->size(); ++i)
          std::cout << (i ? ", " : "") << "\"" << (*drawn)[i].hex() << "\"";
        std::cout << "]\n";
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
    pot::BlockParts parts;
    parts.header = header->get();
    for (auto& m : *tds) parts.declarations.push_back(m.get());
    for (auto& m : *sigs) parts.signatures.push_back(m.get());
    for (auto& m : *txs) parts.transactions.push_back(m.get());
    auto result = pot::stake(**c, *key, parts);
    if (!result) return result.status();
    POT_TRY(pot::writeOutput(out, result->message, /*binary=*/true));
    std::ostream& report = out == "-" ? std::cerr : std::cout;
    std::string id;
    if (result->isBlock) {
      auto m = pot::decodeMessage(result->message);
      if (!m) return m.status();
      id = pot::blockIdOf((*m)->envelope().getBlock()).hex();
    }
    if (json)
      report << "{\"role\": \"" << (result->isBlock ? "wrapper" : "stakeholder")
             << "\", \"index\": " << result->index
             << (id.empty() ? "" : ", \"block\": \"" + id + "\"") << "}\n";
    else if (out != "-")
      report << (result->isBlock ? "block " + id : "signature " + std::to_string(result->index))
             << "\n";
    return pot::Status::ok();
  });
}
