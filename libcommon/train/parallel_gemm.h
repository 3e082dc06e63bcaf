// All cores for the GEMMs of a stage without changing one bit: libtorch's sgemm_ calls are split
// into blocks of whole columns of C at points where the loaded BLAS gives every element of C the
// same bits as the whole call (DESIGN 4.4).
#pragma once

#include <cstdint>
#include <string>

namespace pot {

// Below this many multiply-adds a GEMM runs whole: a split costs more than it saves. 4M
// multiply-adds take about 110 us on one core of the measured VM (a 51M one took 1.4 ms), so a
// split into two saves about 55 us: worth it while the helper is still waiting for work
// (split_team.h: it takes its block within microseconds), not when it has gone to sleep
// (100-300 us to wake). Also the least work of each of a linear layer's two backward products
// for running them at once (linear_layer.h), for the same reason.
constexpr int64_t kMinSplitWork = int64_t{1} << 22;

// The column multiple at which a profile's BLAS may split a GEMM without changing a bit.
// Reference BLAS: any column (its loops give every element of C its own fixed order over k).
// OpenBLAS 0.3.21 (core types Haswell and Prescott): multiples of 12. Its driver hands the
// kernel groups of 3 x GEMM_UNROLL_N columns counted from the first column of the call, and the
// kernel's sums differ between a full group and a narrower one (Haswell: 4 x 3 = 12 columns;
// Prescott splits at any even column). A block that starts at a multiple of 12 therefore sees
// the same groups as the whole call: measured for every shape libtorch calls for the built-in
// architectures and a grid of odd shapes, both transposes, beta 0 and 1
// (tests/unit/train/parallel_gemm_test.cpp; a split at multiples of 4 changes bits).
// 0 (no split) for an OpenBLAS of another version (openblas_get_config), whose driver may group
// its columns otherwise. Rows are never split under OpenBLAS: under the Haswell core type a
// split of the rows changes bits at every multiple tried up to 64, for the largest calls too.
int splitGemmColumnMultiple(const std::string& blas);

// Splits each large sgemm_ call of this process into `threads` blocks of whole columns of C,
// each starting at a multiple of `columnMultiple` (and, for columnMultiple 1, into rows when C
// is tall and narrow), each computed by the profile's BLAS on one thread of the split team
// (split_team.h, whose thread count this sets for the optimizer step and the linear layer's
// backward too). threads <= 1 or columnMultiple 0 runs every GEMM whole. Calls made inside an
// ATen parallel region, or while another thread's split is running, run whole.
void setSplitGemm(int threads, int columnMultiple);

// Whether this process's BLAS is one whose GEMMs may be split or run two at a time (the last
// setSplitGemm's columnMultiple was not 0): only the libraries the multiple was measured on.
bool splitGemmEnabled();

}  // namespace pot
