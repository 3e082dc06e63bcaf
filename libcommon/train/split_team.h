// The threads that run the blocks of a split operation in a stage (the GEMM blocks of
// parallel_gemm.h, the chunks of the optimizer step, a linear layer's two backward products):
// helpers kept for the process, which stay awake for a while after each block so that the next
// one, from microseconds to a millisecond later, does not pay a sleeping thread's wake-up.
#pragma once

#include <functional>

namespace pot {

// Runs fn(0) .. fn(parts - 1), part 0 on the calling thread and each other part on its own
// helper, and returns when all have returned; an exception thrown by a part is rethrown here
// (the first one) after every part has ended. Helpers are started on first use and kept.
// Returns false without running anything when another thread is running a split at the same
// time (the caller then does the work whole), when a helper cannot be started, or in a child
// forked after helpers were started (they are not its threads). parts must be 1 to
// kMaxSplitParts. A helper has its own thread's defaults of thread-local state (ATen's grad
// mode among them): a part sets what it needs.
bool runSplit(int parts, const std::function<void(int)>& fn);

constexpr int kMaxSplitParts = 256;

// The number of threads a stage's split operations use (1: none), set with the compute profile
// (setSplitGemm); clamped to 1 .. kMaxSplitParts.
void setSplitThreads(int threads);
int splitThreads();

// How long a helper, or the caller waiting for its helpers, checks for work before it sleeps.
// In a stage of mlp:784-512-512-10 at b = 128, one gap between two splits in six lasts
// 200-800 us (the loss and the start of the backward pass; the next batch's inputs), and a
// sleeping thread took 100-300 us to wake on the measured VM: with 200 us here the first split
// GEMM after such a gap took 0.70 of its 1-thread time, with 1000 us 0.60 (measured before the
// linear layer ran its two backward products at once; bench/RESULTS.md).
// While it waits, a thread yields its core to any other runnable thread at each check, so on a
// machine with more threads than cores the wait costs the others little.
constexpr int kSplitSpinMicros = 1000;

}  // namespace pot
