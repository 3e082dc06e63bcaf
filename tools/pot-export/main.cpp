// pot-export: a trained state out to PyTorch users as safetensors, from a state file or from the
// chain, and a check that weights in hand are the ones the network trained (DESIGN 4.7).
#include <iostream>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/core/message_io.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/repo_args.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/export.h"
#include "libcommon/train/export_chain.h"

namespace {

constexpr uint64_t kMaxExportBytes = 1ull << 32;

pot::Result<pot::SafetensorsFile> readExport(const std::string& path) {
  auto bytes = pot::readFile(path, kMaxExportBytes);
  if (!bytes) return bytes.status();
  auto file = pot::readSafetensors(*bytes);
  if (!file) return file.status().withContext("'" + path + "'");
  return file;
}

// --verify FILE: re-derives H(S_i) from the file and compares it with the
// hash the caller expects (or, without one, with the file's own claim).
pot::Status verify(const std::string& path, const std::string& expected, bool json) {
  auto file = readExport(path);
  if (!file) return file.status();
  auto state = pot::stateFromExport(*file);
  if (!state) return state.status().withContext("'" + path + "'");
  const pot::Hash256 derived = pot::sha256(state->data(), state->size());
  std::string want = expected;
  if (want.empty()) {
    auto claim = file->metadata.find("stateHash");
    want = claim == file->metadata.end() ? "" : claim->second;
  } else {
    auto h = pot::parseHashArg(expected, "--state-hash");
    if (!h) return h.status();
    want = h->hex();
  }
  const bool same = derived.hex() == want;
  if (json)
    std::cout << pot::JsonWriter()
                     .beginObject()
                     .field("file", path)
                     .field("stateHash", derived.hex())
                     .field("expected", want)
                     .field("same", same)
                     .endObject()
                     .str()
              << "\n";
  else
    std::cout << derived.hex() << "\n";
  if (!same)
    return pot::Status::invalid("'" + path + "' holds state " + derived.hex() + ", not " + want);
  return pot::Status::ok();
}

// --verify FILE with a chain: the H(S_i) re-derived from the file against the
// one the chain recorded for the model and stage.
pot::Status verifyOnChain(const std::string& path, const pot::ChainView& chain,
                          std::optional<pot::Hash256> model, std::optional<uint32_t> stage,
                          bool json) {
  auto file = readExport(path);
  if (!file) return file.status();
  auto v = pot::verifyAgainstChain(chain, *file, model, stage);
  if (!v) return v.status().withContext("'" + path + "'");
  if (json)
    std::cout << pot::JsonWriter()
                     .beginObject()
                     .field("file", path)
                     .field("stateHash", v->derived.hex())
                     .field("recorded", v->recorded.stateHash.hex())
                     .field("stage", v->recorded.stage)
                     .field("block", v->recorded.block.hex())
                     .field("height", v->recorded.height)
                     .field("same", v->same())
                     .endObject()
                     .str()
              << "\n";
  else
    std::cout << v->derived.hex() << "\n";
  if (!v->same())
    return pot::Status::invalid("'" + path + "' holds state " + v->derived.hex() +
                                ", not the chain's " + v->recorded.stateHash.hex() + " of stage " +
                                std::to_string(v->recorded.stage) + " (height " +
                                std::to_string(v->recorded.height) + ")");
  return pot::Status::ok();
}

// Writes the export (and pot_model.py), never a file --verify would refuse.
pot::Status writeExport(const pot::Message& state, const pot::ExportProvenance& provenance,
                        const std::string& out, const std::string& pytorchDir, bool json) {
  auto file = pot::exportState(state, provenance);
  if (!file) return file.status();
  std::string source;
  const std::string architecture = file->metadata.at("architecture");
  if (!pytorchDir.empty()) {
    auto py = pot::pytorchModuleSource(architecture, provenance.transform);
    if (!py) return py.status();
    source = std::move(*py);
  }
  // Never write a file that --verify would refuse (a tensor name the format
  // cannot hold, a name twice): read it back and re-derive H(S_i) first.
  const pot::Bytes written = pot::writeSafetensors(*file);
  auto back = pot::readSafetensors(written);
  if (!back) return back.status().withContext("this state cannot be exported");
  auto rebuilt = pot::stateFromExport(*back);
  if (!rebuilt) return rebuilt.status().withContext("this state cannot be exported");
  if (pot::sha256(rebuilt->data(), rebuilt->size()) != state.fileHash())
    return pot::Status::invalid(
        "this state cannot be exported: its tensor names do not survive the round trip");
  POT_TRY(pot::writeOutput(out, written, true));
  if (!pytorchDir.empty())
    POT_TRY(pot::writeFileAtomic(pytorchDir + "/pot_model.py",
                                 pot::Bytes(source.begin(), source.end())));
  if (json && out != "-") {
    pot::JsonWriter w;
    w.beginObject()
        .field("file", out)
        .field("stateHash", state.fileHash().hex())
        .field("architecture", architecture)
        .field("tensors", file->tensors.size());
    if (provenance.blockId)
      w.field("stage", state.envelope().getModelState().getStage())
          .field("block", provenance.blockId->hex())
          .field("height", *provenance.height);
    std::cout << w.endObject().str() << "\n";
  }
  return pot::Status::ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Write a model state as safetensors (PyTorch names, provenance in the metadata) from a "
      "state file or a model's stage on the chain, or check a safetensors file's weights "
      "against a state hash or the chain.",
      "pot-export"};
  std::string statePath, out = "-", requestPath, pytorchDir, verifyPath, stateHash, model;
  std::optional<uint32_t> stage;
  pot::ChainArgs chain;
  pot::RepoArgs repo;
  bool json = false;
  app.add_option("state", statePath, "State file S_i ('-' for stdin)");
  app.add_option("-o,--output", out, "Safetensors file to write ('-' for stdout)");
  app.add_option("--request", requestPath,
                 "The model's signed training request: its model id, input transform and class "
                 "names go in the metadata and pot_model.py");
  app.add_option("--pytorch", pytorchDir,
                 "Also write DIR/pot_model.py: the nn.Module of a built-in architecture, a "
                 "reader of the export and the input transform");
  chain.add(app, /*clock=*/false);
  repo.add(app);
  app.add_option("--model", model,
                 "With a chain: the model id (64 hex digits, or a file holding them)");
  app.add_option("--stage", stage,
                 "With a chain: the stage to export or check (default: the model's latest stage "
                 "on the best chain; with --verify, the stage the file names)");
  app.add_option("--verify", verifyPath,
                 "Check FILE instead: exit 0 if it holds the state the chain recorded (with "
                 "--db or --genesis) or --state-hash names (default: the hash its metadata "
                 "claims), 1 if not");
  app.add_option("--state-hash", stateHash, "With --verify: the H(S_i) the weights must have");
  app.add_flag("--json", json, "JSON output");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    const bool fromChain = !chain.db.empty() || !chain.genesis.empty();
    std::optional<pot::Hash256> modelId;
    if (!model.empty()) {
      if (!fromChain) return pot::Status::usage("--model goes with --db or --genesis/--chain");
      auto id = pot::parseHashArg(model, "--model");
      if (!id) return id.status();
      modelId = *id;
    }
    if (stage && !fromChain) return pot::Status::usage("--stage goes with --db or --genesis");
    if (!verifyPath.empty()) {
      if (!statePath.empty() || !pytorchDir.empty() || !requestPath.empty() || repo.given())
        return pot::Status::usage("--verify takes no state, --request, --pytorch or --repo");
      if (!fromChain) return verify(verifyPath, stateHash, json);
      if (!stateHash.empty())
        return pot::Status::usage("--verify with a chain takes the hash from the chain, not "
                                  "--state-hash");
      auto c = chain.load();
      if (!c) return c.status();
      return verifyOnChain(verifyPath, **c, modelId, stage, json);
    }
    if (!stateHash.empty()) return pot::Status::usage("--state-hash goes with --verify");
    if (fromChain) {
      if (!statePath.empty() || !requestPath.empty())
        return pot::Status::usage("a chain export takes no state file or --request: both come "
                                  "from the chain and the repository");
      if (!modelId) return pot::Status::usage("give the model to export (--model)");
      auto objects = repo.source();
      if (!objects) return objects.status();
      auto c = chain.load();
      if (!c) return c.status();
      auto s = pot::chainState(**c, *modelId, stage, *objects);
      if (!s) return s.status();
      return writeExport(*s->state, s->provenance, out, pytorchDir, json);
    }
    if (statePath.empty())
      return pot::Status::usage("give a state file, a model on a chain (--model with --db), or "
                                "--verify FILE");
    if (repo.given()) return pot::Status::usage("--repo goes with a chain (--db or --genesis)");
    auto state = pot::readMessage(statePath, pot::schema::Envelope::MODEL_STATE);
    if (!state) return state.status();
    pot::ExportProvenance provenance;
    if (!requestPath.empty()) {
      auto request = pot::readMessage(requestPath, pot::schema::Envelope::TRAINING_REQUEST);
      if (!request) return request.status();
      provenance.modelId = pot::modelIdOf((*request)->envelope().getTrainingRequest());
      auto transform =
          pot::readInputTransform((*request)->envelope().getTrainingRequest().getBody());
      if (!transform) return transform.status();
      provenance.transform = std::move(*transform);
    }
    return writeExport(**state, provenance, out, pytorchDir, json);
  });
}
