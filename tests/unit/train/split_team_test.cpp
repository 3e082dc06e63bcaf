// The split team (split_team.h): every part runs once, on its own thread; a helper's exception
// reaches the caller; a second caller is refused rather than mixed in; helpers go to sleep.
#include "libcommon/train/split_team.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

pid_t threadId() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

TEST(SplitTeam, EveryPartRunsOnceEachOnItsOwnThreadPartZeroOnTheCaller) {
  std::mutex m;
  std::vector<pid_t> ran(4, 0);
  std::vector<int> times(4, 0);
  ASSERT_TRUE(pot::runSplit(4, [&](int p) {
    std::lock_guard<std::mutex> lock(m);
    ran[p] = threadId();
    times[p] += 1;
  }));
  EXPECT_EQ(times, std::vector<int>(4, 1));
  EXPECT_EQ(ran[0], threadId());
  EXPECT_EQ(std::set<pid_t>(ran.begin(), ran.end()).size(), 4u);
}

// Splits of changing width back to back: a helper that woke late for a split it had no part in
// must not run a part of the next one (each part's count would show it).
TEST(SplitTeam, ManySplitsOfChangingWidthRunEachPartExactlyOnce) {
  std::vector<std::atomic<int>> count(5);
  int expected[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 20000; ++i) {
    const int parts = 1 + (i * 7) % 5;
    ASSERT_TRUE(pot::runSplit(parts, [&](int p) { count[p].fetch_add(1); }));
    for (int p = 0; p < parts; ++p) expected[p] += 1;
  }
  for (int p = 0; p < 5; ++p) EXPECT_EQ(count[p].load(), expected[p]) << "part " << p;
}

TEST(SplitTeam, AHelpersExceptionIsRethrownAfterEveryPartHasEnded) {
  std::atomic<int> ended{0};
  try {
    pot::runSplit(3, [&](int p) {
      if (p == 2) throw std::runtime_error("part 2 failed");
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      ended.fetch_add(1);
    });
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "part 2 failed");
  }
  EXPECT_EQ(ended.load(), 2);
  // The team still works afterwards.
  std::atomic<int> ran{0};
  EXPECT_TRUE(pot::runSplit(3, [&](int) { ran.fetch_add(1); }));
  EXPECT_EQ(ran.load(), 3);
}

TEST(SplitTeam, ASecondCallerIsRefusedWhileASplitRuns) {
  std::atomic<bool> inside{false}, release{false};
  std::thread first([&] {
    pot::runSplit(2, [&](int p) {
      if (p != 0) return;
      inside = true;
      while (!release) std::this_thread::yield();
    });
  });
  while (!inside) std::this_thread::yield();
  bool ran = false;
  EXPECT_FALSE(pot::runSplit(2, [&](int) { ran = true; }));
  EXPECT_FALSE(ran);
  release = true;
  first.join();
  EXPECT_TRUE(pot::runSplit(2, [&](int) {}));
  EXPECT_FALSE(pot::runSplit(pot::kMaxSplitParts + 1, [&](int) { ran = true; }));
  EXPECT_FALSE(ran);
}

// The state letter of each of this process's threads but the caller's.
std::vector<char> otherThreadStates() {
  std::vector<char> states;
  DIR* dir = ::opendir("/proc/self/task");
  if (!dir) return states;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.' || std::stoi(e->d_name) == threadId()) continue;
    std::ifstream stat(std::string("/proc/self/task/") + e->d_name + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size()) states.push_back(line[close + 2]);
  }
  ::closedir(dir);
  return states;
}

// Helpers wait for work only kSplitSpinMicros before they sleep: an idle team takes no CPU.
TEST(SplitTeam, IdleHelpersSleep) {
  ASSERT_TRUE(pot::runSplit(3, [](int) {}));
  // Within 2 s (a loaded machine may keep a yielding helper runnable for a while).
  std::vector<char> states;
  for (int i = 0; i < 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    states = otherThreadStates();
    if (std::all_of(states.begin(), states.end(), [](char s) { return s == 'S'; })) break;
  }
  ASSERT_GE(states.size(), 2u);
  for (char s : states) EXPECT_EQ(s, 'S') << "a helper is still running";
}

// pot-audit re-runs stages in forked children: a child of a process whose helpers were started
// must not wait for them (they do not exist there); it is told to compute whole, and exits.
TEST(SplitTeam, AForkedChildComputesWholeInsteadOfWaiting) {
  ASSERT_TRUE(pot::runSplit(2, [](int) {}));
  // The helper asleep on the team's condition variable when the process forks: a child that
  // destroyed that variable would wait for a waiter it does not have.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    bool ran = false;
    const bool split = pot::runSplit(2, [&](int) { ran = true; });
    std::exit(!split && !ran ? 0 : 1);  // exit(), so exit handlers run here too
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(pot::runSplit(2, [](int) {}));  // the parent's team still works
}

TEST(SplitTeam, ThreadCountIsClamped) {
  pot::setSplitThreads(0);
  EXPECT_EQ(pot::splitThreads(), 1);
  pot::setSplitThreads(pot::kMaxSplitParts + 5);
  EXPECT_EQ(pot::splitThreads(), pot::kMaxSplitParts);
  pot::setSplitThreads(3);
  EXPECT_EQ(pot::splitThreads(), 3);
  pot::setSplitThreads(1);
}

}  // namespace
