// pot-export: a trained state out to PyTorch users as safetensors, and a check that weights in
// hand are the ones the network trained (DESIGN 4.7).
#include <iostream>

#include "libcommon/consensus/ledger.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/core/message_io.h"
#include "libcommon/tool/chain_args.h"
#include "libcommon/tool/tool.h"
#include "libcommon/train/export.h"

namespace {

constexpr uint64_t kMaxExportBytes = 1ull << 32;

// --verify FILE: re-derives H(S_i) from the file and compares it with the
// hash the caller expects (or, without one, with the file's own claim).
pot::Status verify(const std::string& path, const std::string& expected, bool json) {
  auto bytes = pot::readFile(path, kMaxExportBytes);
  if (!bytes) return bytes.status();
  auto file = pot::readSafetensors(*bytes);
  if (!file) return file.status().withContext("'" + path + "'");
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Write a model state as safetensors (PyTorch names, provenance in the metadata), "
      "or check a safetensors file's weights against a state hash.",
      "pot-export"};
  std::string statePath, out = "-", requestPath, pytorchDir, verifyPath, stateHash;
  bool json = false;
  app.add_option("state", statePath, "State file S_i ('-' for stdin)");
  app.add_option("-o,--output", out, "Safetensors file to write ('-' for stdout)");
  app.add_option("--request", requestPath,
                 "The model's signed training request: its model id, input transform and class "
                 "names go in the metadata and pot_model.py");
  app.add_option("--pytorch", pytorchDir,
                 "Also write DIR/pot_model.py: the nn.Module of a built-in architecture, a "
                 "reader of the export and the input transform");
  app.add_option("--verify", verifyPath,
                 "Check FILE instead: exit 0 if it holds the state --state-hash names (default: "
                 "the hash its metadata claims), 1 if not");
  app.add_option("--state-hash", stateHash, "With --verify: the H(S_i) the weights must have");
  app.add_flag("--json", json, "JSON output");
  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (!verifyPath.empty()) {
      if (!statePath.empty() || !pytorchDir.empty() || !requestPath.empty())
        return pot::Status::usage("--verify takes no state, --request or --pytorch");
      return verify(verifyPath, stateHash, json);
    }
    if (statePath.empty()) return pot::Status::usage("give a state file, or --verify FILE");
    if (!stateHash.empty()) return pot::Status::usage("--state-hash goes with --verify");
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
    auto file = pot::exportState(**state, provenance);
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
    if (pot::sha256(rebuilt->data(), rebuilt->size()) != (*state)->fileHash())
      return pot::Status::invalid(
          "this state cannot be exported: its tensor names do not survive the round trip");
    POT_TRY(pot::writeOutput(out, written, true));
    if (!pytorchDir.empty())
      POT_TRY(pot::writeFileAtomic(pytorchDir + "/pot_model.py",
                                   pot::Bytes(source.begin(), source.end())));
    if (json && out != "-")
      std::cout << pot::JsonWriter()
                       .beginObject()
                       .field("file", out)
                       .field("stateHash", (*state)->fileHash().hex())
                       .field("architecture", architecture)
                       .field("tensors", file->tensors.size())
                       .endObject()
                       .str()
                << "\n";
    return pot::Status::ok();
  });
}
