// The split team (split_team.h): one shared ticket announces each split; helpers spin, then
// sleep, until the ticket changes.
#include "libcommon/train/split_team.h"

#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pot {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<int> gSplitThreads{1};

// Checks `ready` until it holds or kSplitSpinMicros pass, yielding the core at each check.
template <typename Ready>
bool spinFor(const Ready& ready) {
  const auto until = Clock::now() + std::chrono::microseconds(kSplitSpinMicros);
  while (!ready()) {
    if (Clock::now() >= until) return false;
    sched_yield();
  }
  return true;
}

// Never destroyed (runSplit makes it with new): at exit its helpers may still be waiting on
// its members, and in a forked child its thread handles name threads that do not exist there.
class SplitTeam {
 public:
  bool run(int parts, const std::function<void(int)>& fn) {
    if (busy_.exchange(true, std::memory_order_acquire)) return false;
    struct Release {
      std::atomic<bool>& busy;
      ~Release() { busy.store(false, std::memory_order_release); }
    } release{busy_};
    // After fork() only the forking thread exists: a child of a process that started helpers
    // would wait for them forever, so it computes whole.
    if (!helpers_.empty() && ::getpid() != owner_) return false;
    try {
      if (helpers_.empty()) owner_ = ::getpid();
      while (static_cast<int>(helpers_.size()) < parts - 1) {
        const int index = static_cast<int>(helpers_.size());
        helpers_.emplace_back([this, index] { helperLoop(index); });
      }
    } catch (const std::exception&) {
      return false;  // no thread to be had: the caller computes whole
    }
    job_ = &fn;
    error_ = nullptr;
    pending_.store(parts - 1, std::memory_order_relaxed);
    {
      // The ticket carries the part count, so a helper that wakes late for a split it has no
      // part in never reads the job of a later one.
      std::lock_guard<std::mutex> lock(mutex_);
      sequence_ += 1;
      ticket_.store(sequence_ << 16 | static_cast<uint64_t>(parts), std::memory_order_release);
    }
    wake_.notify_all();
    runPart(fn, 0);
    if (!spinFor([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
    }
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  void runPart(const std::function<void(int)>& fn, int part) {
    try {
      fn(part);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void helperLoop(int index) {
    // Named for top -H and for the tests that look for the helpers.
    pthread_setname_np(pthread_self(), "pot-split");
    uint64_t seen = 0;
    for (;;) {
      auto changed = [this, &seen] { return ticket_.load(std::memory_order_acquire) != seen; };
      if (!spinFor(changed)) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, changed);
      }
      seen = ticket_.load(std::memory_order_acquire);
      const int parts = static_cast<int>(seen & 0xffff);
      if (index + 1 >= parts) continue;  // not in this split
      runPart(*job_, index + 1);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        // Under the lock, so a caller between its check and its wait still gets the signal.
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  std::atomic<bool> busy_{false};
  std::atomic<uint64_t> ticket_{0};
  std::atomic<int> pending_{0};
  const std::function<void(int)>* job_ = nullptr;
  std::exception_ptr error_;
  uint64_t sequence_ = 0;
  pid_t owner_ = ::getpid();  // the process whose threads helpers_ are
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> helpers_;
};

}  // namespace

void setSplitThreads(int threads) {
  gSplitThreads.store(threads < 1 ? 1 : threads > kMaxSplitParts ? kMaxSplitParts : threads);
}

int splitThreads() { return gSplitThreads.load(std::memory_order_relaxed); }

bool runSplit(int parts, const std::function<void(int)>& fn) {
  if (parts <= 1) {
    fn(0);
    return true;
  }
  if (parts > kMaxSplitParts) return false;
  static SplitTeam& team = *new SplitTeam;
  return team.run(parts, fn);
}

}  // namespace pot
