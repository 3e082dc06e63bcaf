// The column-split sgemm_ (parallel_gemm.h): this definition interposes the BLAS's own for
// libtorch, which resolves sgemm_ in the executable first, and forwards each block to it.
#include "libcommon/train/parallel_gemm.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "libcommon/train/split_team.h"

namespace {

using Sgemm = void (*)(const char*, const char*, const int*, const int*, const int*, const float*,
                       const float*, const int*, const float*, const int*, const float*, float*,
                       const int*);

std::atomic<int> gColumnMultiple{1};

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

// Where block `part` of `parts` starts: the nearest multiple of `multiple` to an even share,
// so the blocks differ by at most one multiple (n = 128 on 2 threads: 60 and 68 columns).
int64_t blockStart(int64_t extent, int64_t parts, int64_t part, int64_t multiple) {
  if (part >= parts) return extent;
  const int64_t start = (extent * part / parts + multiple / 2) / multiple * multiple;
  return start < extent ? start : extent;
}

}  // namespace

namespace pot {

int splitGemmColumnMultiple(const std::string& blas) {
  if (blas == "reference") return 1;
  // 12 is a property of OpenBLAS 0.3.21's driver (parallel_gemm.h), measured on that version
  // only: any other version runs its GEMMs whole rather than risk a bit.
  using Config = const char* (*)();
  auto config = reinterpret_cast<Config>(::dlsym(RTLD_DEFAULT, "openblas_get_config"));
  const char* version = config ? config() : nullptr;
  return version && std::strncmp(version, "OpenBLAS 0.3.21 ", 16) == 0 ? 12 : 0;
}

void setSplitGemm(int threads, int columnMultiple) {
  gColumnMultiple.store(columnMultiple < 1 ? 0 : columnMultiple);
  setSplitThreads(threads);
}

bool splitGemmEnabled() { return gColumnMultiple.load(std::memory_order_relaxed) != 0; }

}  // namespace pot

// C = alpha op(A) op(B) + beta C, column-major, C is m x n. Column j of C reads only column j of
// op(B); row i only row i of op(A): a block of columns (or rows) is a smaller call on the same
// elements. The Fortran character lengths are not passed (libtorch does not pass them either).
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const float* alpha, const float* a, const int* lda,
                       const float* b, const int* ldb, const float* beta, float* c,
                       const int* ldc) {
  Sgemm next = nextSgemm();
  auto whole = [&] { next(transa, transb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); };
  const int64_t multiple = gColumnMultiple.load(std::memory_order_relaxed);
  if (multiple == 0) return whole();
  const int64_t work = int64_t{*m} * *n * *k;
  // Rows may be split only where any split keeps bits (multiple 1, reference BLAS).
  const bool byColumns = multiple > 1 || *n >= *m || *n >= pot::splitThreads();
  const int64_t extent = byColumns ? *n : *m;
  const int64_t unit = byColumns ? multiple : 1;
  const int64_t parts = std::min<int64_t>(pot::splitThreads(), extent / unit);
  if (parts <= 1 || work < pot::kMinSplitWork || at::in_parallel_region()) return whole();
  // One block per thread of the split team (split_team.h); the blocks' bounds are fixed here.
  auto block = [&](int p) {
    const int64_t begin = blockStart(extent, parts, p, unit);
    const int part = static_cast<int>(blockStart(extent, parts, p + 1, unit) - begin);
    if (part <= 0) return;
    if (byColumns) {
      // Column j of op(B) is column j of B, or row j of B when transposed.
      const float* bj = b + (isTrans(transb) ? begin : begin * *ldb);
      next(transa, transb, m, &part, k, alpha, a, lda, bj, ldb, beta, c + begin * *ldc, ldc);
    } else {
      // Row i of op(A) is row i of A, or column i of A when transposed.
      const float* ai = a + (isTrans(transa) ? begin * *lda : begin);
      next(transa, transb, &part, n, k, alpha, ai, lda, b, ldb, beta, c + begin, ldc);
    }
  };
  // Another thread's split in progress: this call runs whole (same bits).
  if (!pot::runSplit(static_cast<int>(parts), block)) whole();
}
