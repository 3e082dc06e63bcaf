// Export (DESIGN 4.7): a state file as safetensors with its provenance, back again, and the
// PyTorch module of a built-in architecture.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/input_transform.h"
#include "libcommon/core/message_io.h"
#include "libcommon/train/safetensors.h"

namespace pot {

// What an export records beyond the state itself.
struct ExportProvenance {
  std::optional<Hash256> modelId;
  std::optional<Hash256> blockId;  // the block that recorded H(S_i)
  std::optional<uint64_t> height;
  // How a raw sample becomes model input and the class names (DESIGN 4.6),
  // from the request; without one, uint8 samples scaled by 1/255 (what a
  // request without the field trains on when its batches are uint8).
  InputTransform transform;
};

// Tensor names: parameters as PyTorch names them (so load_state_dict takes
// them); optimizer tensors under "optimizer.<name>". Metadata: format,
// architecture, optimizer, stage, step, stateHash (H(S_i), the state file's
// hash), the order of both tensor lists, the input transform (inputDtype,
// inputScale, and inputMean and inputStd as JSON arrays when the request
// normalises), classNames as a JSON array when labels are text, and the
// provenance given.
Result<SafetensorsFile> exportState(const Message& state, const ExportProvenance& provenance);

// The state file an export was made from, byte for byte: its hash is H(S_i).
// Invalid (exit 1) when the file is not a PoT export or its tensors do not
// match what its metadata lists.
Result<Bytes> stateFromExport(const SafetensorsFile& file);

// A Python file defining the nn.Module of a built-in architecture with
// PyTorch's parameter names, a reader of the export (numpy only) and the
// input transform (preprocess() applies `transform` as training did; CLASS_NAMES
// holds the class names). Invalid for a TorchScript architecture (its module
// file is already the definition).
Result<std::string> pytorchModuleSource(const std::string& architecture,
                                        const InputTransform& transform = InputTransform{});

}  // namespace pot
