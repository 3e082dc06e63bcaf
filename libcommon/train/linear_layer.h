// A built-in architecture's linear layer: torch::linear's values and gradients, bit for bit,
// with a backward that computes the input and weight gradients at the same time on the split
// team when the stage has more than one thread (split_team.h).
#pragma once

#include <ATen/core/Tensor.h>

namespace pot {

// y = x w^T + b for x [batch, in], w [out, in], b [out].
at::Tensor linearLayer(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b);

}  // namespace pot
