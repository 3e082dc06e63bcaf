// The built-in compute-profile table and a request's profile checked against it (DESIGN 4.4;
// docs/protocol.md "Training").
#include "libcommon/consensus/compute_profile.h"

namespace pot {

namespace {
// Filled from measurements on the reference machine (see above).
constexpr const char* PROBE_PORTABLE =
    "00366f7c947738d39c1488cf69731084a68f05c4773a3cdcae55f8cec3c9bed3";
constexpr const char* PROBE_X86_64_V3 =
    "329e95e1e7e0805803cfa601f4b5e116c1721bc5a04ed7848d3dde8aba7c4093";
constexpr const char* PROBE_PORTABLE_FAST =
    "c761f2799094c3e9185dc4b56c8093e6357ef2716aa3c4f49915655ddd523f35";
}  // namespace

const std::vector<ComputeProfileSpec>& computeProfiles() {
  // Probe digests are facts of Debian bookworm's libtorch 1.13.1, reference
  // BLAS 3.11 and OpenBLAS 0.3.21 (measured with `pot-train-stage --probe`).
  static const std::vector<ComputeProfileSpec> table = {
      {"portable", 1, "default", "reference", "", "/usr/lib/x86_64-linux-gnu/blas", false,
       PROBE_PORTABLE},
      {"x86-64-v3", 1, "avx2", "openblas", "Haswell", "/usr/lib/x86_64-linux-gnu/openblas-pthread",
       true, PROBE_X86_64_V3},
      {"portable-fast", 1, "default", "openblas", "Prescott",
       "/usr/lib/x86_64-linux-gnu/openblas-pthread", false, PROBE_PORTABLE_FAST},
  };
  return table;
}

Result<ComputeProfileSpec> findComputeProfile(const std::string& name) {
  std::string known;
  for (const auto& p : computeProfiles()) {
    if (p.name == name) return p;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  return Status::invalid("unknown compute profile '" + name + "' (known: " + known + ")");
}

Result<ComputeProfileSpec> checkRequestProfile(schema::ComputeProfile::Reader profile) {
  auto spec = findComputeProfile(profile.getName());
  if (!spec) return spec;
  auto mismatch = [&](const char* field, const std::string& got, const std::string& want) {
    return Status::invalid("compute profile '" + spec->name + "' has " + field + " '" + got +
                           "', the built-in table says '" + want + "'");
  };
  if (profile.getThreads() != spec->threads)
    return mismatch("threads", std::to_string(profile.getThreads()), std::to_string(spec->threads));
  if (profile.getAtenCapability() != spec->atenCapability)
    return mismatch("atenCapability", profile.getAtenCapability(), spec->atenCapability);
  if (profile.getBlas() != spec->blas) return mismatch("blas", profile.getBlas(), spec->blas);
  if (profile.getBlasCoreType() != spec->blasCoreType)
    return mismatch("blasCoreType", profile.getBlasCoreType(), spec->blasCoreType);
  return spec;
}

void fillRequestProfile(const ComputeProfileSpec& spec, schema::ComputeProfile::Builder out) {
  out.setName(spec.name);
  out.setThreads(spec.threads);
  out.setAtenCapability(spec.atenCapability);
  out.setBlas(spec.blas);
  out.setBlasCoreType(spec.blasCoreType);
}

}  // namespace pot
