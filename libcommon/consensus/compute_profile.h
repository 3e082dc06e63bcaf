// The built-in compute-profile table (DESIGN 4.4): which profiles a training request may name,
// field by field. A protocol fact, so a registration can be checked without libtorch; how a
// process puts a profile into effect is train/profile.h.
#pragma once

#include <string>
#include <vector>

#include "libcommon/core/status.h"
#include "schemas/pot.capnp.h"

namespace pot {

struct ComputeProfileSpec {
  std::string name;      // "portable", "x86-64-v3", "portable-fast"
  uint32_t threads = 1;  // BLAS threads (fixed: they change GEMM bits) and default intra-op threads
  std::string atenCapability;  // ATEN_CPU_CAPABILITY
  std::string blas;            // "reference" or "openblas"
  std::string blasCoreType;    // OPENBLAS_CORETYPE, empty for reference BLAS
  std::string blasDir;         // put first on LD_LIBRARY_PATH so libblas.so.3 is this one
  bool needsAvx2Fma = false;   // CPU features the ATen and BLAS kernels use
  std::string probeDigest;     // SHA-256 (hex) of the known-answer probe's output bits
};

// The built-in table, in a stable order.
const std::vector<ComputeProfileSpec>& computeProfiles();

// Looks a profile up by name; an unknown name is invalid (exit 1) and the
// message lists the known ones.
Result<ComputeProfileSpec> findComputeProfile(const std::string& name);

// A request's profile must equal the built-in entry of its name field by field.
Result<ComputeProfileSpec> checkRequestProfile(schema::ComputeProfile::Reader profile);
void fillRequestProfile(const ComputeProfileSpec& spec, schema::ComputeProfile::Builder out);

}  // namespace pot
