// libFuzzer target: the array formats an employer or a user hands in: .npy and safetensors.
// Invariant: a safetensors file that reads writes back to one that reads the same.
#include "libcommon/train/npy.h"
#include "libcommon/train/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const pot::Bytes bytes(data, data + size);
  (void)pot::parseNpy(bytes, "fuzz");
  auto file = pot::readSafetensors(bytes);
  if (!file) return 0;
  auto again = pot::readSafetensors(pot::writeSafetensors(*file));
  if (!again || again->tensors.size() != file->tensors.size() || again->metadata != file->metadata)
    __builtin_trap();
  for (size_t i = 0; i < file->tensors.size(); ++i)
    if (again->tensors[i].data != file->tensors[i].data ||
        again->tensors[i].shape != file->tensors[i].shape)
      __builtin_trap();
  return 0;
}
