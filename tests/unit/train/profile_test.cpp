// The compute-profile table: lookup, and a request's profile must equal its built-in entry.
#include "libcommon/train/profile.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

namespace {

TEST(Profile, TableHasTheDesignProfiles) {
  auto portable = pot::findComputeProfile("portable");
  ASSERT_TRUE(portable);
  EXPECT_EQ(portable->blas, "reference");
  EXPECT_EQ(portable->atenCapability, "default");
  auto fast = pot::findComputeProfile("x86-64-v3");
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->blas, "openblas");
  EXPECT_EQ(fast->blasCoreType, "Haswell");
  EXPECT_EQ(fast->atenCapability, "avx2");
  EXPECT_TRUE(fast->needsAvx2Fma);
  for (const auto& p : pot::computeProfiles()) EXPECT_EQ(p.probeDigest.size(), 64u) << p.name;
  auto unknown = pot::findComputeProfile("gpu");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.status().code(), pot::ExitCode::kInvalid);
  EXPECT_NE(unknown.status().message().find("known: portable, x86-64-v3"), std::string::npos);
}

TEST(Profile, RequestFieldsMustMatchTheTable) {
  capnp::MallocMessageBuilder m;
  auto p = m.initRoot<pot::schema::ComputeProfile>();
  pot::fillRequestProfile(*pot::findComputeProfile("x86-64-v3"), p);
  EXPECT_TRUE(pot::checkRequestProfile(p.asReader()));
  p.setBlasCoreType("SkylakeX");
  auto r = pot::checkRequestProfile(p.asReader());
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("blasCoreType 'SkylakeX'"), std::string::npos);
  pot::fillRequestProfile(*pot::findComputeProfile("x86-64-v3"), p);
  p.setThreads(4);
  EXPECT_FALSE(pot::checkRequestProfile(p.asReader()));
}

TEST(Profile, EnvironmentPinsBlasThreadsAndKeepsTheOldLibraryPath) {
  auto fast = *pot::findComputeProfile("x86-64-v3");
  auto env = pot::profileEnvironment(fast, 2, "/opt/lib");
  auto get = [&](const std::string& name) {
    for (const auto& [k, v] : env)
      if (k == name) return v;
    return std::string("<absent>");
  };
  EXPECT_EQ(get("LD_LIBRARY_PATH"), fast.blasDir + ":/opt/lib");
  EXPECT_EQ(get("OPENBLAS_CORETYPE"), "Haswell");
  EXPECT_EQ(get("ATEN_CPU_CAPABILITY"), "avx2");
  // Intra-op threads follow the caller; OpenBLAS threads change GEMM bits, so never.
  EXPECT_EQ(get("OMP_NUM_THREADS"), "2");
  EXPECT_EQ(get("OPENBLAS_NUM_THREADS"), std::to_string(fast.threads));
  EXPECT_EQ(get("OMP_WAIT_POLICY"), "PASSIVE");
  // Already first on the path: unchanged, so the re-exec check is idempotent.
  env = pot::profileEnvironment(fast, 1, fast.blasDir + ":/opt/lib");
  EXPECT_EQ(get("LD_LIBRARY_PATH"), fast.blasDir + ":/opt/lib");
  auto portable = *pot::findComputeProfile("portable");
  env = pot::profileEnvironment(portable, 1, "");
  EXPECT_EQ(get("LD_LIBRARY_PATH"), portable.blasDir);
  EXPECT_EQ(get("OPENBLAS_CORETYPE"), "");  // unset
}

TEST(Profile, ShellExportsForEval) {
  auto spec = pot::findComputeProfile("portable");
  ASSERT_TRUE(spec);
  EXPECT_EQ(pot::profileShellExports(*spec, 2),
            "export LD_LIBRARY_PATH='/usr/lib/x86_64-linux-gnu/blas'\n"
            "unset OPENBLAS_CORETYPE\n"
            "export ATEN_CPU_CAPABILITY='default'\n"
            "export OPENBLAS_NUM_THREADS='1'\n"
            "export OMP_NUM_THREADS='2'\n"
            "export OMP_WAIT_POLICY='PASSIVE'\n");
}

}  // namespace
