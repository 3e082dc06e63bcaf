// A compute profile put into a process's environment (DESIGN 4.4; docs/protocol.md "Training").
#include "libcommon/train/profile.h"

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "libcommon/core/fileio.h"
#include "libcommon/core/parallel.h"

namespace pot {

std::vector<std::pair<std::string, std::string>> profileEnvironment(
    const ComputeProfileSpec& spec, uint32_t threads, const std::string& oldLdLibraryPath) {
  std::string ld = spec.blasDir;
  if (!oldLdLibraryPath.empty() && oldLdLibraryPath != spec.blasDir &&
      oldLdLibraryPath.rfind(spec.blasDir + ":", 0) != 0)
    ld += ":" + oldLdLibraryPath;
  else if (!oldLdLibraryPath.empty())
    ld = oldLdLibraryPath;
  return {
      {"LD_LIBRARY_PATH", ld},
      {"OPENBLAS_CORETYPE", spec.blasCoreType},  // empty: unset
      {"ATEN_CPU_CAPABILITY", spec.atenCapability},
      // OpenBLAS splits a GEMM differently with more threads and the bits
      // change, so its thread count is the profile's whatever the intra-op count.
      {"OPENBLAS_NUM_THREADS", std::to_string(spec.threads)},
      {"OMP_NUM_THREADS", std::to_string(threads)},
      // Idle OpenMP threads sleep instead of spinning: a node shares its cores
      // with other processes, and spinning threads that lose their core make
      // every parallel op wait for them (measured: 2 threads 1.8-2.9x slower
      // than 1 on a loaded machine with spinning, none slower with sleeping).
      // ATen's own pool now runs on one thread; the stage's threads are the
      // split team's (split_team.h), which wait briefly, yielding, then sleep.
      {"OMP_WAIT_POLICY", "PASSIVE"},
  };
}

std::string profileShellExports(const ComputeProfileSpec& spec, uint32_t threads) {
  std::string out;
  for (const auto& [name, value] : profileEnvironment(spec, threads, ""))
    out += (value.empty() ? "unset " + name : "export " + name + "='" + value + "'") + "\n";
  return out;
}

Status keepStdinAcrossReexec() {
  if (::lseek(STDIN_FILENO, 0, SEEK_CUR) >= 0) return Status::ok();
  auto bytes = readFile("-", 1ull << 32);
  if (!bytes) return bytes.status();
  int fd = ::memfd_create("pot-stdin", 0);
  if (fd < 0) return Status::io(std::string("cannot keep standard input: ") + std::strerror(errno));
  size_t done = 0;
  while (done < bytes->size()) {
    ssize_t n = ::write(fd, bytes->data() + done, bytes->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Status::io(std::string("cannot keep standard input: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  ::lseek(fd, 0, SEEK_SET);
  if (::dup2(fd, STDIN_FILENO) < 0) {
    ::close(fd);
    return Status::io(std::string("cannot keep standard input: ") + std::strerror(errno));
  }
  ::close(fd);
  return Status::ok();
}

Result<uint32_t> stageThreads() {
  const char* t = std::getenv("POT_STAGE_THREADS");
  if (!t) return static_cast<uint32_t>(usableCores());
  char* end = nullptr;
  unsigned long v = std::strtoul(t, &end, 10);
  if (*t == '\0' || *end != '\0' || v == 0 || v > 256)
    return Status::usage("POT_STAGE_THREADS='" + std::string(t) + "' is not a thread count 1..256");
  return static_cast<uint32_t>(v);
}

std::string cpuMissingFeatures(const ComputeProfileSpec& spec) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (spec.needsAvx2Fma) {
    std::string missing;
    if (!__builtin_cpu_supports("avx2")) missing += " avx2";
    if (!__builtin_cpu_supports("fma")) missing += " fma";
    if (!missing.empty()) return "this CPU lacks" + missing;
  }
  return "";
#else
  return "compute profiles are defined for x86-64 CPUs only";
#endif
}

}  // namespace pot
