// The training secret rho, the loss trace file and the per-stage seed (DESIGN 4.1, 4.2).
#include "libcommon/train/training_secret.h"

#include <capnp/message.h>

#include <cstring>

#include "libcommon/core/coding.h"
#include "libcommon/core/message_io.h"

namespace pot {

Hash256 trainingSecret(const std::vector<float>& losses) {
  Hash256 h;
  for (size_t j = 0; j < losses.size(); ++j) {
    uint32_t bits;
    std::memcpy(&bits, &losses[j], 4);
    Sha256 s;
    s.updateU32(bits);
    if (j > 0) s.update(h);
    h = s.finish();
  }
  return h;
}

uint64_t stageSeed(uint64_t seed, uint32_t stage) {
  Hash256 h = Sha256().updateU64(seed).updateU32(stage).finish();
  return coding::getLe64(h.bytes.data());
}

Bytes encodeLossTrace(const Hash256& modelId, uint32_t stage, const std::vector<float>& losses) {
  capnp::MallocMessageBuilder b;
  auto t = b.initRoot<schema::Envelope>().initLossTrace();
  t.setModelId(kj::arrayPtr(modelId.data(), 32));
  t.setStage(stage);
  auto list = t.initLosses(static_cast<unsigned>(losses.size()));
  for (size_t i = 0; i < losses.size(); ++i) list.set(static_cast<unsigned>(i), losses[i]);
  return encodeMessage(b.getRoot<schema::Envelope>().asReader());
}

}  // namespace pot
