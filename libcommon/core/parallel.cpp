// Independent work spread over the cores (see parallel.h).
#include "libcommon/core/parallel.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pot {

unsigned usableCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

void parallelFor(size_t n, unsigned threads, const std::function<void(size_t)>& fn) {
  if (threads == 0) threads = usableCores();
  threads = static_cast<unsigned>(std::min<size_t>(threads, n));
  // Items are taken one at a time from a shared counter: a slow item does
  // not leave the other threads idle.
  std::atomic<size_t> next{0};
  // An exception ends its thread's share (the others finish theirs) and is
  // rethrown here, on the caller's thread, instead of ending the process.
  std::mutex mutex;
  std::exception_ptr first;
  auto work = [&] {
    try {
      for (size_t i = next++; i < n; i = next++) fn(i);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!first) first = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (auto& h : helpers) h.join();
  if (first) std::rethrow_exception(first);
}

}  // namespace pot
