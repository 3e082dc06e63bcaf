// Runs tests of this test binary again in a child process per compute profile this CPU can run,
// each with the profile's environment, so that the profile's BLAS and ATen capability are the
// ones loaded (a process picks them when it starts).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "libcommon/consensus/compute_profile.h"
#include "libcommon/train/profile.h"

namespace pot::test {

// Each child runs the tests `filter` selects, with the profile's environment for 3 threads and
// `variable` set to the profile's name (a child test skips when it is unset); each must pass.
inline void runUnderEveryProfile(const char* variable, const char* filter) {
  char self[4096];
  ssize_t len = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
  ASSERT_GT(len, 0);
  self[len] = '\0';
  const std::string gtestFilter = std::string("--gtest_filter=") + filter;
  for (const auto& spec : computeProfiles()) {
    if (!cpuMissingFeatures(spec).empty()) continue;  // x86-64-v3 needs AVX2+FMA
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (const auto& [k, v] : profileEnvironment(spec, 3, ""))
        v.empty() ? ::unsetenv(k.c_str()) : ::setenv(k.c_str(), v.c_str(), 1);
      ::setenv(variable, spec.name.c_str(), 1);
      ::execl(self, self, gtestFilter.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << spec.name;
  }
}

}  // namespace pot::test
