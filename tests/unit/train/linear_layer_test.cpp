// The built-in linear layer (linear_layer.h) gives at::linear's output and autograd's
// gradients bit for bit, on 1, 2 and 3 threads, under every compute profile's BLAS and ATen
// capability: each profile runs in a child process with its environment. On 2 threads the input
// and weight gradients of the large shapes are computed at the same time, and the test counts
// that they were.
#include "libcommon/train/linear_layer.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "libcommon/consensus/compute_profile.h"
#include "libcommon/train/parallel_gemm.h"
#include "tests/unit/train/under_every_profile.h"

namespace {

struct Shape {
  int64_t batch, in, out;
  bool inputGrad;            // a first layer's input needs no gradient
  bool columnMajor = false;  // autograd takes another product for such an input
};

at::Tensor filled(std::vector<int64_t> shape, uint32_t seed) {
  at::Tensor t = at::empty(shape, at::kFloat);
  float* p = t.data_ptr<float>();
  uint32_t x = seed;
  for (int64_t i = 0; i < t.numel(); ++i) {
    x = x * 1664525u + 1013904223u;
    p[i] = static_cast<float>((x >> 8) & 0xffff) / 32768.0f - 1.0f;
  }
  return t;
}

// Same shape, same layout, same bits.
bool sameBits(const at::Tensor& a, const at::Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  if (a.sizes() != b.sizes() || a.strides() != b.strides()) return false;
  at::Tensor ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.data_ptr<float>(), cb.data_ptr<float>(), ca.numel() * 4) == 0;
}

struct Result {
  at::Tensor y, gx, gw, gb;
};

// y = layer(x, w, b) and the gradients of sum(y * g), with `threads` split threads.
template <typename Layer>
Result run(const Shape& s, int threads, int multiple, Layer layer) {
  pot::setSplitGemm(threads, multiple);
  at::Tensor x = s.columnMajor ? filled({s.in, s.batch}, 1).t() : filled({s.batch, s.in}, 1);
  x.requires_grad_(s.inputGrad);
  at::Tensor w = filled({s.out, s.in}, 2).requires_grad_(true);
  at::Tensor b = filled({s.out}, 3).requires_grad_(true);
  at::Tensor y = layer(x, w, b);
  y.backward(filled({s.batch, s.out}, 4));
  pot::setSplitGemm(1, multiple);
  return {y.detach(), x.grad(), w.grad(), b.grad()};
}

// The child: runs under the profile named by POT_TEST_LINEAR_PROFILE (its environment set).
TEST(LinearLayerChild, SameBitsAsAutograd) {
  const char* name = std::getenv("POT_TEST_LINEAR_PROFILE");
  if (!name) {
    GTEST_SKIP() << "run by LinearLayer.SameBitsAsAutogradUnderEveryProfile";
  }
  auto spec = pot::findComputeProfile(name);
  ASSERT_TRUE(spec.isOk());
  at::set_num_threads(1);  // ATen's own ops on one thread, as a compute profile sets them
  const int multiple = pot::splitGemmColumnMultiple(spec->blas);
  // mlp:784-512-512-10's layers at b = 128, the second of them at b = 64, and odd shapes; the
  // ones of at least 4M multiply-adds with an input gradient run both products at once.
  const std::vector<Shape> shapes = {{128, 784, 512, false},      {128, 512, 512, true},
                                     {128, 512, 10, true},        {64, 512, 512, true},
                                     {100, 300, 257, true},       {7, 33, 5, true},
                                     {128, 512, 512, true, true}, {1, 1, 9, true}};
  for (const Shape& s : shapes) {
    const Result want =
        run(s, 1, multiple, [](auto& x, auto& w, auto& b) { return at::linear(x, w, b); });
    for (int threads : {1, 2, 3}) {
      const int64_t overlapsBefore = pot::linearLayerOverlaps();
      const Result got = run(s, threads, multiple,
                             [](auto& x, auto& w, auto& b) { return pot::linearLayer(x, w, b); });
      const std::string what = std::to_string(s.batch) + "x" + std::to_string(s.in) + "->" +
                               std::to_string(s.out) + " on " + std::to_string(threads);
      EXPECT_TRUE(sameBits(want.y, got.y)) << what << ": output";
      EXPECT_TRUE(sameBits(want.gx, got.gx)) << what << ": input gradient";
      EXPECT_TRUE(sameBits(want.gw, got.gw)) << what << ": weight gradient";
      EXPECT_TRUE(sameBits(want.gb, got.gb)) << what << ": bias gradient";
      EXPECT_EQ(got.gx.defined(), s.inputGrad) << what;
      // The two products ran at once exactly where they should.
      const bool overlap = threads == 2 && multiple != 0 && s.inputGrad &&
                           s.batch * s.in * s.out >= pot::kMinSplitWork;
      EXPECT_EQ(pot::linearLayerOverlaps() - overlapsBefore, overlap ? 1 : 0) << what;
    }
  }
}

TEST(LinearLayer, SameBitsAsAutogradUnderEveryProfile) {
  pot::test::runUnderEveryProfile("POT_TEST_LINEAR_PROFILE", "LinearLayerChild.*");
}

}  // namespace
