// All cores for the GEMMs of a stage without changing one bit: libtorch's sgemm_ calls are split
// into column blocks only where the loaded BLAS computes every element of C alone (DESIGN 4.4).
#pragma once

namespace pot {

// Splits each large sgemm_ call of this process into `threads` blocks of whole
// columns (or rows) of C, each computed by the profile's BLAS on one thread.
// Only for a BLAS whose element C(i,j) does not depend on the shape of the call:
// reference BLAS (its loops give every element its own fixed order over k;
// tests/cli/train_threads_test.sh proves it). OpenBLAS's kernels do depend on
// the shape (measured: any row or column split changes bits), so for OpenBLAS
// profiles this stays off and the GEMMs run whole on one BLAS thread.
// threads <= 1 turns the split off.
void setSplitGemmThreads(int threads);
int splitGemmThreads();

}  // namespace pot
