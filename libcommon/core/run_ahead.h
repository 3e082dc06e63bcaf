// Work done on all cores ahead of an in-order consumer: bulk import checks blocks (decoding,
// signatures) on every core while one thread validates and commits them in chain order.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace pot {

// Calls fn(0) .. fn(n - 1), each once, on `threads` threads of its own (0:
// usableCores()), taking the items in order from a shared counter, so the
// cores stay busy to the end instead of waiting at batch boundaries. The
// caller consumes the results in order: waitFor(i) returns once fn(i) has
// returned (i below n and below released + window, or it throws
// std::logic_error). The workers take no item at or beyond released + `window`
// (release() moves `released` on), which bounds the memory held by
// results not yet consumed. An exception thrown by fn(i) is rethrown by
// waitFor(i). The destructor stops the workers after the items they hold
// and joins them, so a caller may leave at any point.
class RunAhead {
 public:
  RunAhead(size_t n, unsigned threads, size_t window, std::function<void(size_t)> fn);
  ~RunAhead();
  RunAhead(const RunAhead&) = delete;
  RunAhead& operator=(const RunAhead&) = delete;

  void waitFor(size_t i);
  void release(size_t upTo);

 private:
  void work();
  void stop();  // workers leave after the items they hold; joins them

  const size_t n_;
  const size_t window_;
  const std::function<void(size_t)> fn_;
  std::mutex mutex_;
  // Two conditions, so a finished item wakes the consumer only when it is
  // the one awaited, and a release wakes only the workers.
  std::condition_variable itemDone_;
  std::condition_variable moreAllowed_;
  size_t next_ = 0;      // the next item a worker takes
  size_t released_ = 0;  // items below are consumed
  size_t awaited_;       // the item the consumer waits for, or n
  bool stopping_ = false;
  std::unique_ptr<bool[]> done_;
  std::vector<std::exception_ptr> errors_;
  std::vector<std::thread> workers_;
};

}  // namespace pot
