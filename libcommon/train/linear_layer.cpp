// The linear layer (linear_layer.h): forward as torch::linear (addmm of the bias, x and w^T);
// backward as libtorch 1.13's AddmmBackward0 computes it for that addmm, operation for
// operation, so every gradient keeps its bits:
//   input:  grad.mm(w)             (mm_mat1_backward; w^T.mm(grad^T)^T for a column-major x)
//   weight: grad.t().mm(x)         (mm_mat2_backward for w^T, a column-major view, transposed back)
//   bias:   at::sum_to(grad, [out]) (the engine's reduction of the broadcast bias's gradient)
// The two products are independent. On two threads they run at once, each as one whole BLAS
// call, which costs less than splitting each in two, one after the other: both blocks of a
// split pack the whole of their shared operand, and a batch of 128 splits only as 60 + 68
// columns (parallel_gemm.h). On more threads each product's split over all of them is faster.
#include "libcommon/train/linear_layer.h"

#include <ATen/ExpandUtils.h>
#include <torch/torch.h>

#include "libcommon/train/split_team.h"

namespace pot {
namespace {

// Below this many multiply-adds in each product, running them at once saves less than the
// hand-over costs (parallel_gemm.cpp's threshold for a split, for the same reason).
constexpr int64_t kMinOverlapWork = 1 << 22;

struct LinearLayer : torch::autograd::Function<LinearLayer> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& w, const torch::Tensor& b) {
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
    if (!grad.defined()) return {gx, gw, gb};
    const bool wantX = ctx->needs_input_grad(0), wantW = ctx->needs_input_grad(1);
    const bool columnMajor = x.stride(0) == 1 && x.stride(1) == x.size(0);
    auto input = [&] { gx = columnMajor ? w.t().mm(grad.t()).t() : grad.mm(w); };
    auto weight = [&] { gw = grad.t().mm(x); };
    const int64_t work = grad.size(0) * w.size(0) * w.size(1);
    bool done = false;
    if (wantX && wantW && splitThreads() == 2 && work >= kMinOverlapWork) {
      done = runSplit(2, [&](int part) {
        torch::NoGradGuard noGrad;  // the helper's own thread-local grad mode
        part == 0 ? weight() : input();
      });
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

}  // namespace pot
