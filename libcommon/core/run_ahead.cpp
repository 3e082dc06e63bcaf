// Work done on all cores ahead of an in-order consumer (see run_ahead.h).
#include "libcommon/core/run_ahead.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "libcommon/core/parallel.h"

namespace pot {

RunAhead::RunAhead(size_t n, unsigned threads, size_t window, std::function<void(size_t)> fn)
    : n_(n),
      window_(std::max<size_t>(1, window)),
      fn_(std::move(fn)),
      awaited_(n),
      done_(new bool[n]()),
      errors_(n) {
  if (threads == 0) threads = usableCores();
  threads = static_cast<unsigned>(std::min<size_t>(threads, n));
  try {
    for (unsigned t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
  } catch (...) {
    // A thread that could not start: the ones started must be joined, or
    // their destruction ends the process.
    stop();
    throw;
  }
}

void RunAhead::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  moreAllowed_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

RunAhead::~RunAhead() { stop(); }

void RunAhead::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    moreAllowed_.wait(lock,
                      [&] { return stopping_ || next_ >= n_ || next_ < released_ + window_; });
    if (stopping_ || next_ >= n_) return;
    const size_t i = next_++;
    lock.unlock();
    std::exception_ptr error;
    try {
      fn_(i);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    errors_[i] = error;
    done_[i] = true;
    if (i == awaited_) itemDone_.notify_one();
  }
}

void RunAhead::waitFor(size_t i) {
  std::unique_lock<std::mutex> lock(mutex_);
  // No worker would ever take such an item: a caller's error, not a wait.
  if (i >= n_ || i >= released_ + window_)
    throw std::logic_error("RunAhead::waitFor: item " + std::to_string(i) + " is out of reach");
  awaited_ = i;
  itemDone_.wait(lock, [&] { return done_[i]; });
  awaited_ = n_;
  if (errors_[i]) std::rethrow_exception(errors_[i]);
}

void RunAhead::release(size_t upTo) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = std::max(released_, upTo);
  }
  moreAllowed_.notify_all();
}

}  // namespace pot
