// The column-split sgemm_ (parallel_gemm.h): this definition interposes the BLAS's own for
// libtorch, which resolves sgemm_ in the executable first, and forwards each block to it.
#include "libcommon/train/parallel_gemm.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>

namespace {

using Sgemm = void (*)(const char*, const char*, const int*, const int*, const int*, const float*,
                       const float*, const int*, const float*, const int*, const float*, float*,
                       const int*);

std::atomic<int> gThreads{1};

Sgemm nextSgemm() {
  // The BLAS the loader picked for the profile (libblas.so.3), found after this definition.
  static Sgemm next = reinterpret_cast<Sgemm>(::dlsym(RTLD_NEXT, "sgemm_"));
  if (!next) {
    // No BLAS below us: the process cannot have a compute profile, a bug.
    std::abort();
  }
  return next;
}

bool isTrans(const char* t) { return *t == 'T' || *t == 't' || *t == 'C' || *t == 'c'; }

// Below this many multiply-adds a split costs more than it saves.
constexpr int64_t kMinSplitWork = 1 << 18;

}  // namespace

namespace pot {

void setSplitGemmThreads(int threads) { gThreads.store(threads < 1 ? 1 : threads); }
int splitGemmThreads() { return gThreads.load(); }

}  // namespace pot

// C = alpha op(A) op(B) + beta C, column-major, C is m x n. Column j of C reads only column j of
// op(B); row i only row i of op(A): a block of columns (or rows) is a smaller call on the same
// elements. The Fortran character lengths are not passed (libtorch does not pass them either).
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const float* alpha, const float* a, const int* lda,
                       const float* b, const int* ldb, const float* beta, float* c,
                       const int* ldc) {
  Sgemm next = nextSgemm();
  const int threads = gThreads.load(std::memory_order_relaxed);
  const int64_t work = int64_t{*m} * *n * *k;
  if (threads <= 1 || work < kMinSplitWork || at::in_parallel_region() || (*n < 2 && *m < 2)) {
    next(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  const bool byColumns = *n >= *m || *n >= threads;
  const int64_t extent = byColumns ? *n : *m;
  const int64_t grain = (extent + threads - 1) / threads;
  at::parallel_for(0, extent, grain, [&](int64_t begin, int64_t end) {
    const int part = static_cast<int>(end - begin);
    if (byColumns) {
      // Column j of op(B) is column j of B, or row j of B when transposed.
      const float* bj = b + (isTrans(transb) ? begin : begin * *ldb);
      next(transa, transb, m, &part, k, alpha, a, lda, bj, ldb, beta, c + begin * *ldc, ldc);
    } else {
      // Row i of op(A) is row i of A, or column i of A when transposed.
      const float* ai = a + (isTrans(transa) ? begin * *lda : begin);
      next(transa, transb, &part, n, k, alpha, ai, lda, b, ldb, beta, c + begin, ldc);
    }
  });
}
