// One optimizer step of the stage function: PyTorch's SGD and Adam update rules written out,
// so that every optimizer buffer is a named tensor of the state file (DESIGN 4.3).
#pragma once

#include <cstdint>
#include <vector>

#include "libcommon/train/stage_inputs.h"

namespace pot {

// One parameter's storage for a step, each array `count` contiguous float32
// values owned by the caller. Raw arrays keep libtorch types out of this
// header; the step wraps them without copying, so the bits are those of the
// same operations on the caller's tensors.
struct ParameterSlot {
  float* value = nullptr;
  const float* grad = nullptr;  // null: the parameter got no gradient (zeros)
  // SGD with momentum: momentum_buffer; Adam: exp_avg, exp_avg_sq; else unused.
  float* buffers[2] = {nullptr, nullptr};
  int64_t count = 0;
};

// Applies one step to every slot. `step` is the 1-based optimizer step
// (Adam's bias correction); `momentumBuffers` as in StagePlan.
void applyOptimizerStep(const OptimizerSettings& settings, bool momentumBuffers, uint64_t step,
                        const std::vector<ParameterSlot>& slots);

}  // namespace pot
