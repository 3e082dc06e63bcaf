// pot-tx: make and sign a transaction: a transfer, an escrow deposit, or a training request
// registration.
#include <iostream>

#include "libcommon/consensus/ledger.h"
#include "libcommon/consensus/memory_chain.h"
#include "libcommon/consensus/transaction.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{"Make and sign a PoT transaction.", "pot-tx"};
  app.require_subcommand(1);
  std::string keyPath, out = "-", to, model, request;
  uint64_t amount = 0, fee = 0;
  std::optional<uint64_t> nonce;
  std::string genesis, chainDir;
  bool json = false;
  auto common = [&](CLI::App* sub) {
    sub->add_option("-k,--key", keyPath, "Sender's private key")->required();
    sub->add_option("--fee", fee, "Fee to the block's wrapper, base units (default 0)");
    sub->add_option("--nonce", nonce, "Sender's next nonce (default: read from --genesis/--chain)");
    sub->add_option("--genesis", genesis, "Genesis file, to look up the nonce");
    sub->add_option("--chain", chainDir, "Block directory, to look up the nonce");
    sub->add_option("-o,--output", out, "Transaction file to write ('-' for stdout)");
    sub->add_flag("--json", json, "Print {\"id\": ..., \"nonce\": ...} after writing a file");
  };
  auto* transfer = app.add_subcommand("transfer", "Send coins to an address");
  common(transfer);
  transfer->add_option("--to", to, "Recipient: 64 hex digits or a PEM key file")->required();
  transfer->add_option("--amount", amount, "Base units")->required();
  auto* deposit = app.add_subcommand("deposit", "Send coins to a model's escrow (its stage fees)");
  common(deposit);
  deposit->add_option("--model", model, "Model id (64 hex digits)");
  deposit->add_option("--request", request, "...or the TrainingRequest file whose model it is");
  deposit->add_option("--amount", amount, "Base units")->required();
  auto* reg = app.add_subcommand("register", "Register a TrainingRequest on chain");
  common(reg);
  reg->add_option("--request", request, "The signed TrainingRequest file")->required();
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    auto key = pot::SigningKey::load(keyPath);
    if (!key) return key.status();
    if (!nonce) {
      if (genesis.empty())
        return pot::Status::usage("give --nonce N, or --genesis (and --chain) to look it up");
      auto chain = pot::loadChain(genesis, chainDir);
      if (!chain) return chain.status();
      auto acc = (*chain)->stateAt((*chain)->tip().id)->account(key->publicKey());
      nonce = acc ? acc->nonce : 0;
    }
    pot::Bytes tx;
    if (transfer->parsed() || deposit->parsed()) {
      pot::Address dest;
      if (transfer->parsed()) {
        auto a = pot::parseAddressArg(to, "--to");
        if (!a) return a.status();
        dest = *a;
      } else {
        if (model.empty() == request.empty())
          return pot::Status::usage("give exactly one of --model or --request");
        pot::Hash256 modelId;
        if (!model.empty()) {
          auto m = pot::parseHashArg(model, "--model");
          if (!m) return m.status();
          modelId = *m;
        } else {
          auto r = pot::readMessage(request, pot::schema::Envelope::TRAINING_REQUEST);
          if (!r) return r.status();
          modelId = pot::modelIdOf((*r)->envelope().getTrainingRequest());
        }
        dest = pot::escrowAddress(modelId);
      }
      tx = pot::makeTransfer(*key, *nonce, fee, dest, amount);
    } else {
      auto r = pot::readMessage(request, pot::schema::Envelope::TRAINING_REQUEST);
      if (!r) return r.status();
      auto t = pot::makeRegistration(*key, *nonce, fee, **r);
      if (!t) return t.status();
      tx = *t;
    }
    POT_TRY(pot::writeOutput(out, tx, /*binary=*/true));
    if (out != "-") {
      auto m = pot::decodeMessage(tx);
      if (!m) return m.status();
      const std::string id =
          pot::messageId(pot::Domain::kTx, (*m)->envelope().getTransaction().getBody()).hex();
      if (json)
        std::cout << pot::JsonWriter()
                         .beginObject()
                         .field("id", id)
                         .field("nonce", *nonce)
                         .endObject()
                         .str()
                  << "\n";
      else
        std::cout << id << "\n";
    }
    return pot::Status::ok();
  });
}
