// A built-in architecture's linear layer: torch::linear's values and gradients, bit for bit,
// with a backward that computes the input and weight gradients at the same time, one on each
// thread, when the stage has exactly 2 threads (split_team.h), the layer's input needs a
// gradient, and each product is a GEMM of at least kMinSplitWork multiply-adds under a BLAS
// whose GEMMs may be split (parallel_gemm.h).
#pragma once

#include <cstdint>

// Declared only: libtorch's headers stay out of headers (build time).
namespace at {
class Tensor;
}  // namespace at

namespace pot {

// y = x w^T + b for x [batch, in], w [out, in], b [out].
at::Tensor linearLayer(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b);

// How many backward passes of this process have run their two products at once (for tests).
int64_t linearLayerOverlaps();

}  // namespace pot
