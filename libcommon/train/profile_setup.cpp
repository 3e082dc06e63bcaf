// Putting a compute profile into effect: re-exec with its environment, fixed threads, oneDNN
// off, and the known-answer probe (DESIGN 4.4).
#include "libcommon/train/profile_setup.h"

#include <link.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "libcommon/core/hash.h"
#include "libcommon/train/parallel_gemm.h"
#include "libcommon/train/profile.h"
#include "libcommon/train/torch_errors.h"

namespace pot {

std::string computeProbeDigest() {
  // Integer-generated inputs: the probe must not depend on any RNG.
  auto make = [](int64_t r, int64_t c, uint32_t salt) {
    torch::Tensor t = torch::empty({r, c}, torch::kFloat32);
    float* p = t.data_ptr<float>();
    uint32_t x = salt;
    for (int64_t i = 0; i < r * c; ++i) {
      x = x * 1664525u + 1013904223u;
      p[i] = static_cast<float>((x >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
    return t;
  };
  torch::NoGradGuard noGrad;
  torch::Tensor a = make(64, 257, 1), b = make(257, 33, 2);
  torch::Tensor c = torch::mm(a, b);              // BLAS sgemm: reference vs OpenBLAS kernels
  torch::Tensor d = torch::log_softmax(c, 1);     // ATen vectorised exp/log: default vs avx2
  torch::Tensor e = torch::tanh(c).sum(1, true);  // ATen vectorised reduction
  Sha256 h;
  for (const torch::Tensor& t : {c, d, e}) {
    torch::Tensor u = t.contiguous();
    h.update(u.data_ptr<float>(), static_cast<size_t>(u.numel()) * 4);
  }
  return h.finish().hex();
}

namespace {

std::string loadedBlasPath() {
  std::string found;
  dl_iterate_phdr(
      [](struct dl_phdr_info* info, size_t, void* out) {
        std::string name = info->dlpi_name ? info->dlpi_name : "";
        if (name.find("libblas.so") != std::string::npos) *static_cast<std::string*>(out) = name;
        return 0;
      },
      &found);
  return found.empty() ? "none" : found;
}

bool envIs(const char* name, const std::string& value) {
  const char* v = std::getenv(name);
  return value.empty() ? v == nullptr : (v && value == v);
}

Status applyComputeProfile(const std::string& profileName, int argc, char** argv, bool verify) {
  auto spec = findComputeProfile(profileName);
  if (!spec) return spec.status();
  std::string missing = cpuMissingFeatures(*spec);
  if (!missing.empty())
    return Status::io("compute profile '" + spec->name + "' cannot run here: " + missing +
                      " (it needs an AVX2+FMA CPU; the request fixes the profile, so train it "
                      "on such a machine)");
  std::string lib = spec->blasDir + "/libblas.so.3";
  if (::access(lib.c_str(), R_OK) != 0)
    return Status::io("compute profile '" + spec->name + "' needs " + lib + " (install " +
                      (spec->blas == "reference" ? "libblas3" : "libopenblas0-pthread") +
                      ": scripts/install-deps)");
  auto stageThreadCount = stageThreads();
  if (!stageThreadCount) return stageThreadCount.status();
  const uint32_t threads = *stageThreadCount;
  const char* ldPath = std::getenv("LD_LIBRARY_PATH");
  auto env = profileEnvironment(*spec, threads, ldPath ? ldPath : "");
  // The intra-op thread count is put into effect in this process below
  // (torch::set_num_threads sets OpenMP's), so OMP_NUM_THREADS alone asks for
  // no new process image: pot-audit's one thread per stage under an
  // environment printed for another count would otherwise start libtorch
  // and replay the chain twice. It is still set, for what this process runs.
  bool envOk = true;
  for (const auto& [name, value] : env)
    if (name != "OMP_NUM_THREADS" && !envIs(name.c_str(), value)) envOk = false;
  const char* marker = std::getenv(kProfileMarkerEnv);
  std::string self = spec->name + ":" + std::to_string(::getpid());
  if (!envOk) {
    if (marker && self == marker)
      return Status::internal("re-executing with compute profile '" + spec->name +
                              "' did not set its environment");
    // The loader picks libblas.so.3 and OpenBLAS reads its core type only at
    // exec, so the profile's environment needs a fresh process image.
    for (const auto& [name, value] : env) {
      if (value.empty())
        ::unsetenv(name.c_str());
      else
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    ::setenv(kProfileMarkerEnv, self.c_str(), 1);
    // keepStdinAcrossReexec() left a seekable stdin: the new image reads it again.
    ::lseek(STDIN_FILENO, 0, SEEK_SET);
    std::vector<char*> args(argv, argv + argc);
    args.push_back(nullptr);
    ::execv("/proc/self/exe", args.data());
    return Status::io("cannot re-execute with compute profile '" + spec->name +
                      "': " + std::strerror(errno));
  }
  ::setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
  return guardTorch("compute profile", [&]() -> Status {
    // ATen's own operations run on one thread: on the measured machine (bench/RESULTS.md,
    // issue 14) waking a second thread for each elementwise op, reduction or convolution
    // batch costs more than it saves (2 threads were slower than 1 for every stage tried).
    // The threads go to the large GEMMs, split below without changing a bit.
    torch::set_num_threads(1);
    try {
      torch::set_num_interop_threads(1);
    } catch (const c10::Error&) {
      // Already fixed for this process; inter-op threads do not change bits.
    }
    at::globalContext().setUserEnabledMkldnn(false);
    // The profile's BLAS runs on its fixed thread count; large GEMMs use all the
    // threads, split only where that keeps every bit (parallel_gemm.h).
    setSplitGemm(static_cast<int>(threads), splitGemmColumnMultiple(spec->blas));
    if (!verify) return Status::ok();
    std::string digest = computeProbeDigest();
    if (digest != spec->probeDigest)
      return Status::io("compute profile '" + spec->name +
                        "' is not honoured here: the known-answer probe gives " +
                        digest.substr(0, 16) + ", expected " + spec->probeDigest.substr(0, 16) +
                        " (loaded BLAS: " + loadedBlasPath() + "; the profile needs " + spec->blas +
                        (spec->blasCoreType.empty() ? "" : " " + spec->blasCoreType) +
                        " BLAS from " + spec->blasDir + " and ATen '" + spec->atenCapability +
                        "'; check LD_PRELOAD and the libtorch/BLAS package versions)");
    return Status::ok();
  });
}

}  // namespace

Status enforceComputeProfile(const std::string& profileName, int argc, char** argv) {
  return applyComputeProfile(profileName, argc, argv, true);
}

Status prepareComputeProfile(const std::string& profileName, int argc, char** argv) {
  return applyComputeProfile(profileName, argc, argv, false);
}

}  // namespace pot
