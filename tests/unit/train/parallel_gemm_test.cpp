// The split sgemm_ (parallel_gemm.h) gives every element of C the bits of the whole call, under
// every compute profile's BLAS: each profile runs in a child process with its environment.
#include "libcommon/train/parallel_gemm.h"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "libcommon/consensus/compute_profile.h"
#include "tests/unit/train/under_every_profile.h"

extern "C" void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*,
                       const float*, const int*, const float*, const int*, const float*, float*,
                       const int*);

namespace {

using Sgemm = decltype(&sgemm_);

struct Shape {
  char ta, tb;
  int m, n, k;
  float beta;
};

// The column-major shapes libtorch asks for in the built-in architectures' stages at
// b = 32, 64 and 128 (logged from pot-train-stage runs), and odd ones around them.
std::vector<Shape> shapes() {
  std::vector<Shape> s;
  for (int b : {32, 64, 128}) {
    for (int out : {512, 128, 64, 48}) {
      s.push_back({'T', 'N', out, b, 784, 1});  // forward, first layer
      s.push_back({'N', 'T', 784, out, b, 0});  // weight gradient, first layer
      s.push_back({'T', 'N', 10, b, out, 1});   // forward, last layer
      s.push_back({'N', 'N', out, b, 10, 0});   // input gradient, last layer
      s.push_back({'N', 'T', out, 10, b, 0});   // weight gradient, last layer
    }
    s.push_back({'T', 'N', 512, b, 512, 1});
    s.push_back({'N', 'N', 512, b, 512, 0});
    s.push_back({'N', 'T', 512, 512, b, 0});
    s.push_back({'T', 'N', 120, b, 400, 1});  // lenet5's linear layers
    s.push_back({'N', 'T', 400, 120, b, 0});
    s.push_back({'N', 'N', 400, b, 120, 0});
  }
  s.push_back({'N', 'N', 33, 64, 257, 0});  // the profile probe
  for (char ta : {'N', 'T'})
    for (char tb : {'N', 'T'})
      for (int m : {1, 17, 100, 513})
        for (int n : {24, 61, 129, 250})
          for (int k : {5, 257, 385}) s.push_back({ta, tb, m, n, k, m % 2 ? 1.0f : 0.0f});
  return s;
}

// How many shapes the split changes under this process's BLAS, with blocks at multiples of
// `multiple` on `threads` threads.
int splitsThatDiffer(Sgemm blas, int threads, int multiple) {
  pot::setSplitGemm(threads, multiple);
  int differ = 0;
  uint32_t x = 7;
  auto rnd = [&x] {
    x = x * 1664525u + 1013904223u;
    return static_cast<float>((x >> 8) & 0xffff) / 65536.0f - 0.5f;
  };
  for (const Shape& s : shapes()) {
    const bool ta = s.ta == 'T', tb = s.tb == 'T';
    const int lda = ta ? s.k : s.m, ldb = tb ? s.n : s.k, ldc = s.m;
    std::vector<float> a(static_cast<size_t>(lda) * (ta ? s.m : s.k));
    std::vector<float> b(static_cast<size_t>(ldb) * (tb ? s.k : s.n));
    std::vector<float> whole(static_cast<size_t>(s.m) * s.n);
    for (float& v : a) v = rnd();
    for (float& v : b) v = rnd();
    for (float& v : whole) v = rnd();
    std::vector<float> split = whole;
    const float alpha = 1;
    blas(&s.ta, &s.tb, &s.m, &s.n, &s.k, &alpha, a.data(), &lda, b.data(), &ldb, &s.beta,
         whole.data(), &ldc);
    sgemm_(&s.ta, &s.tb, &s.m, &s.n, &s.k, &alpha, a.data(), &lda, b.data(), &ldb, &s.beta,
           split.data(), &ldc);
    if (std::memcmp(whole.data(), split.data(), whole.size() * 4) != 0) ++differ;
  }
  pot::setSplitGemm(1, 1);
  return differ;
}

// The child: runs under the profile named by POT_TEST_SPLIT_PROFILE (its environment set).
TEST(ParallelGemmChild, SplitKeepsBits) {
  const char* name = std::getenv("POT_TEST_SPLIT_PROFILE");
  if (!name) {
    GTEST_SKIP() << "run by ParallelGemm.SplitKeepsBitsUnderEveryProfile";
  }
  auto spec = pot::findComputeProfile(name);
  ASSERT_TRUE(spec.isOk());
  void* lib = ::dlopen("libblas.so.3", RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(lib, nullptr);
  auto blas = reinterpret_cast<Sgemm>(::dlsym(lib, "sgemm_"));
  ASSERT_NE(blas, nullptr);
  ASSERT_NE(blas, &sgemm_) << "the BLAS's own sgemm_, not the split one";
  const int multiple = pot::splitGemmColumnMultiple(spec->blas);
  // Debian 12's OpenBLAS is 0.3.21, the version the multiple was measured on: the split must be
  // on here (another version turns it off, see parallel_gemm.h).
  if (spec->blas != "reference") {
    EXPECT_EQ(multiple, 12) << "not OpenBLAS 0.3.21?";
  }
  for (int threads : {2, 3}) {
    EXPECT_EQ(splitsThatDiffer(blas, threads, multiple), 0) << threads;
  }
  // The test can fail: under OpenBLAS a split at any column changes bits, so the blocks
  // really are computed apart.
  if (multiple > 1) {
    EXPECT_GT(splitsThatDiffer(blas, 2, 1), 0);
  }
}

TEST(ParallelGemm, SplitKeepsBitsUnderEveryProfile) {
  pot::test::runUnderEveryProfile("POT_TEST_SPLIT_PROFILE", "ParallelGemmChild.*");
}

}  // namespace
