// A signed training request for tests and benches that need a registrable model but never train
// it (no gtest here, so benches can include it too).
#pragma once

#include <capnp/message.h>

#include <functional>
#include <string>

#include "libcommon/consensus/compute_profile.h"
#include "libcommon/core/canonical.h"
#include "libcommon/core/crypto.h"
#include "libcommon/core/data_field.h"
#include "libcommon/core/hash.h"
#include "libcommon/core/message_io.h"
#include "schemas/pot.capnp.h"

namespace pot::testing {

// A signed TrainingRequest with `stages` stage batches (hashes only: consensus never reads
// them); `edit` breaks one rule of a registration before the employer signs.
inline Bytes makeRequest(
    const SigningKey& employer, uint32_t stages, uint32_t declarers, uint64_t fee,
    const std::string& salt,
    const std::function<void(schema::TrainingRequest::Body::Builder)>& edit = nullptr) {
  capnp::MallocMessageBuilder mb;
  auto req = mb.initRoot<schema::Envelope>().initTrainingRequest();
  auto b = req.initBody();
  b.setEmployer(dataOf(employer.publicKey()));
  auto arch = b.initArchitecture();
  arch.setBuiltin("mlp:4-3-2");
  arch.initInputShape(1).set(0, 4);
  arch.setNumClasses(2);
  b.initOptimizer().initSgd().setLearningRate(0.1);
  b.setMinibatchSize(2);
  b.setSeed(7);
  fillRequestProfile(*findComputeProfile("portable"), b.initProfile());
  b.setInitialState(dataOf(sha256("S0/" + salt)));
  auto batches = b.initStageBatches(stages);
  for (uint32_t i = 0; i < stages; ++i)
    batches.set(i, dataOf(sha256("B" + std::to_string(i + 1) + "/" + salt)));
  b.setDeclarers(declarers);
  b.setFeePerStage(fee);
  b.setDescription(salt);
  if (edit) edit(b);
  Bytes sig = signBody(employer, Domain::kRequest, b.asReader());
  req.setSignature(kj::arrayPtr(sig.data(), sig.size()));
  return encodeMessage(mb.getRoot<schema::Envelope>().asReader());
}

}  // namespace pot::testing
