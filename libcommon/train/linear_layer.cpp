// The linear layer (linear_layer.h): forward as torch::linear (for a 2-D input, addmm of the
// bias, x and w^T); backward as libtorch 1.13's autograd computes it for that addmm, operation
// for operation and with the same stride conditions, so every gradient keeps its bits:
//   input:  grad.mm(w), or w.t().mm(grad.t()).t() for a column-major x   (mm_mat1_backward)
//   weight: grad.t().mm(x) when w^T is column-major (w contiguous), else x.t().mm(grad).t()
//           (mm_mat2_backward for w^T, then transposed back)
//   bias:   at::sum_to(grad, [out])   (the engine's reduction of a broadcast input to its shape)
// The two products are independent. On two threads they run at once, each as one whole BLAS
// call, which costs less than splitting each in two, one after the other: both blocks of a
// split pack the whole of their shared operand, and a batch of 128 splits only as 60 + 68
// columns (parallel_gemm.h). On more threads each product's split over all of them is faster.
#include "libcommon/train/linear_layer.h"

#include <ATen/ExpandUtils.h>
#include <ATen/ThreadLocalState.h>
#include <torch/torch.h>

#include <atomic>

#include "libcommon/train/parallel_gemm.h"
#include "libcommon/train/split_team.h"

namespace pot {
namespace {

std::atomic<int64_t> gOverlaps{0};

struct LinearLayer : torch::autograd::Function<LinearLayer> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& w, const torch::Tensor& b) {
    // The built-in architectures flatten their inputs: any other shape takes another path in
    // torch::linear (matmul), whose backward this does not repeat.
    TORCH_CHECK(x.dim() == 2 && w.dim() == 2 && b.dim() == 1 && b.size(0) == w.size(0),
                "linearLayer takes a 2-D input and weight and a bias of one value per output");
    ctx->save_for_backward({x, w});
    return torch::linear(x, w, b);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& w = saved[1];
    const torch::Tensor& grad = grads[0];
    torch::Tensor gx, gw, gb;
    const bool wantX = ctx->needs_input_grad(0), wantW = ctx->needs_input_grad(1);
    const bool xColumnMajor = x.stride(0) == 1 && x.stride(1) == x.size(0);
    const bool wtColumnMajor = w.stride(1) == 1 && w.stride(0) == w.size(1);
    auto input = [&] { gx = xColumnMajor ? w.t().mm(grad.t()).t() : grad.mm(w); };
    auto weight = [&] { gw = wtColumnMajor ? grad.t().mm(x) : x.t().mm(grad).t(); };
    const int64_t work = grad.size(0) * w.size(0) * w.size(1);
    bool done = false;
    // Only under a BLAS whose GEMMs the split may run at the same time (parallel_gemm.h).
    if (wantX && wantW && splitThreads() == 2 && splitGemmEnabled() && work >= kMinSplitWork) {
      // The helper runs under this thread's ATen state (grad mode among it), as autograd's
      // own threads do.
      const at::ThreadLocalState state;
      done = runSplit(2, [&](int part) {
        if (part == 0) return weight();
        at::ThreadLocalStateGuard guard(state);
        input();
      });
      if (done) gOverlaps.fetch_add(1, std::memory_order_relaxed);
    }
    if (!done) {
      if (wantX) input();
      if (wantW) weight();
    }
    if (ctx->needs_input_grad(2)) gb = at::sum_to(grad, w.sizes().slice(0, 1));
    return {gx, gw, gb};
  }
};

}  // namespace

at::Tensor linearLayer(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b) {
  return LinearLayer::apply(x, w, b);
}

int64_t linearLayerOverlaps() { return gOverlaps.load(std::memory_order_relaxed); }

}  // namespace pot
