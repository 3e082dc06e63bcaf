// Export (DESIGN 4.7): a state file as safetensors with its provenance, back again, and the
// PyTorch module of a built-in architecture.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libcommon/core/message_io.h"
#include "libcommon/train/safetensors.h"

namespace pot {

// What an export records beyond the state itself.
struct ExportProvenance {
  std::optional<Hash256> modelId;
  std::optional<Hash256> blockId;  // the block that recorded H(S_i)
  std::optional<uint64_t> height;
  // How a raw sample becomes model input (DESIGN 4.6): today every request
  // trains on uint8 samples scaled by 1/255.
  std::string inputDtype = "uint8";
  std::string inputScale = "1/255";
};

// Tensor names: parameters as PyTorch names them (so load_state_dict takes
// them); optimizer tensors under "optimizer.<name>". Metadata: format,
// architecture, optimizer, stage, step, stateHash (H(S_i), the state file's
// hash), the order of both tensor lists, the input transform, and the
// provenance given.
Result<SafetensorsFile> exportState(const Message& state, const ExportProvenance& provenance);

// The state file an export was made from, byte for byte: its hash is H(S_i).
// Invalid (exit 1) when the file is not a PoT export or its tensors do not
// match what its metadata lists.
Result<Bytes> stateFromExport(const SafetensorsFile& file);

// A Python file defining the nn.Module of a built-in architecture with
// PyTorch's parameter names, a reader of the export (numpy only) and the
// input transform. Invalid for a TorchScript architecture (its module file
// is already the definition).
Result<std::string> pytorchModuleSource(const std::string& architecture);

}  // namespace pot
