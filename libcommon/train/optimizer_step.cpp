// One optimizer step: SGD (momentum, Nesterov, weight decay) and Adam as PyTorch computes
// them, operation for operation (DESIGN 4.3, docs/protocol.md).
#include "libcommon/train/optimizer_step.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "libcommon/train/split_team.h"

namespace pot {
namespace {

torch::Tensor wrap(const float* data, int64_t count) {
  return torch::from_blob(const_cast<float*>(data), {count}, torch::kFloat32);
}

// Below this many values a parameter is stepped whole: the step of 65 536 values takes tens of
// microseconds (the 670 000 values of mlp:784-512-512-10 about 0.6 ms, 7.7% of its stage), so
// a smaller half would save less than handing it to a helper can cost.
constexpr int64_t kMinSplitCount = 1 << 16;
// Chunks start at multiples of this many values. Every operation of the step is elementwise,
// and ATen's vectorized loop gives a value the same arithmetic wherever it sits, except the
// last (count mod twice the vector width) values of a call, which take its scalar path: with
// chunks starting at multiples of 1024 those are the same values as in the whole call. This
// holds while ATen runs each call on one thread, as every compute profile sets it (with more,
// each of its threads' ranges would have a scalar tail of its own).
constexpr int64_t kChunk = 1024;

// The step for values [begin, end) of one parameter.
void stepRange(const OptimizerSettings& hp, bool momentum, uint64_t step, const ParameterSlot& slot,
               int64_t begin, int64_t end) {
  torch::NoGradGuard noGrad;  // per thread: the split team's helpers run this too
  const int64_t count = end - begin;
  torch::Tensor p = wrap(slot.value + begin, count);
  torch::Tensor g = slot.grad ? wrap(slot.grad + begin, count) : torch::zeros_like(p);
  if (hp.weightDecay != 0) g = g.add(p, hp.weightDecay);
  if (!hp.adam) {
    if (momentum) {
      torch::Tensor buf = wrap(slot.buffers[0] + begin, count);
      buf.mul_(hp.momentum).add_(g);
      g = hp.nesterov ? g.add(buf, hp.momentum) : buf;
    }
    p.add_(g, -hp.learningRate);
  } else {
    torch::Tensor m = wrap(slot.buffers[0] + begin, count);
    torch::Tensor v = wrap(slot.buffers[1] + begin, count);
    m.mul_(hp.beta1).add_(g, 1 - hp.beta1);
    v.mul_(hp.beta2).addcmul_(g, g, 1 - hp.beta2);
    double bc1 = 1 - std::pow(hp.beta1, static_cast<double>(step));
    double bc2 = 1 - std::pow(hp.beta2, static_cast<double>(step));
    torch::Tensor denom = (v.sqrt() / std::sqrt(bc2)).add_(hp.eps);
    p.addcdiv_(m, denom, -hp.learningRate / bc1);
  }
}

}  // namespace

void applyOptimizerStep(const OptimizerSettings& hp, bool momentum, uint64_t step,
                        const std::vector<ParameterSlot>& slots) {
  for (const ParameterSlot& slot : slots) {
    const int64_t chunks = (slot.count + kChunk - 1) / kChunk;
    const int64_t parts =
        slot.count < kMinSplitCount ? 1 : std::min<int64_t>(splitThreads(), chunks);
    auto part = [&](int i) {
      const int64_t begin = chunks * i / parts * kChunk;
      const int64_t end = std::min(slot.count, chunks * (i + 1) / parts * kChunk);
      stepRange(hp, momentum, step, slot, begin, end);
    };
    if (!runSplit(static_cast<int>(parts), part))
      stepRange(hp, momentum, step, slot, 0, slot.count);
  }
}

}  // namespace pot
