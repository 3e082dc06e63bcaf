// One optimizer step: SGD (momentum, Nesterov, weight decay) and Adam as PyTorch computes
// them, operation for operation (DESIGN 4.3, docs/protocol.md).
#include "libcommon/train/optimizer_step.h"

#include <torch/torch.h>

#include <cmath>

namespace pot {
namespace {

torch::Tensor wrap(const float* data, int64_t count) {
  return torch::from_blob(const_cast<float*>(data), {count}, torch::kFloat32);
}

}  // namespace

void applyOptimizerStep(const OptimizerSettings& hp, bool momentum, uint64_t step,
                        const std::vector<ParameterSlot>& slots) {
  torch::NoGradGuard noGrad;
  for (const ParameterSlot& slot : slots) {
    torch::Tensor p = wrap(slot.value, slot.count);
    torch::Tensor g = slot.grad ? wrap(slot.grad, slot.count) : torch::zeros_like(p);
    if (hp.weightDecay != 0) g = g.add(p, hp.weightDecay);
    if (!hp.adam) {
      if (momentum) {
        torch::Tensor buf = wrap(slot.buffers[0], slot.count);
        buf.mul_(hp.momentum).add_(g);
        g = hp.nesterov ? g.add(buf, hp.momentum) : buf;
      }
      p.add_(g, -hp.learningRate);
    } else {
      torch::Tensor m = wrap(slot.buffers[0], slot.count);
      torch::Tensor v = wrap(slot.buffers[1], slot.count);
      m.mul_(hp.beta1).add_(g, 1 - hp.beta1);
      v.mul_(hp.beta2).addcmul_(g, g, 1 - hp.beta2);
      double bc1 = 1 - std::pow(hp.beta1, static_cast<double>(step));
      double bc2 = 1 - std::pow(hp.beta2, static_cast<double>(step));
      torch::Tensor denom = (v.sqrt() / std::sqrt(bc2)).add_(hp.eps);
      p.addcdiv_(m, denom, -hp.learningRate / bc1);
    }
  }
}

}  // namespace pot
