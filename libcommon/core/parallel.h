// Independent work spread over the cores this process may run on.
#pragma once

#include <cstddef>
#include <functional>

namespace pot {

// The CPUs this process may run on (its affinity mask, so `taskset -c 0`
// counts 1), at least 1.
// Also the stage threads' default (train/profile.h stageThreads()).
unsigned usableCores();

// Calls fn(0) .. fn(n - 1), each once, on `threads` threads (the caller's
// among them; 0 means usableCores()), and returns when all are done.
// The calls must be independent of each other. If some call throws, the
// first exception is rethrown here once every thread has stopped.
void parallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& fn);

}  // namespace pot
