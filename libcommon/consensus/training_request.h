// A training request checked as pot-partition and pot-train-stage would check it, before it is
// registered on chain (docs/protocol.md "Registering a request"): a request no node can train
// must not hold an escrow nor head the queue of an idle network (DESIGN 5.8).
#pragma once

#include <cstdint>

#include "libcommon/consensus/ledger.h"
#include "schemas/pot.capnp.h"

namespace pot {

// The first rule the request's body breaks, as a reject code and a message;
// kNone when every rule holds. The rules, in this order:
//   bad-request               C outside [minDeclarers, maxDeclarers], or H(S_0) not 32 bytes
//   bad-request-stages        no stage batch, or a stage batch hash not 32 bytes
//   bad-request-profile       a compute profile not in the built-in table, or one whose
//                             fields differ from its entry
//   bad-request-minibatch     b < 2 (the training secret needs b >= 2)
//   bad-request-loss          a loss that is neither cross-entropy nor MSE
//   bad-request-optimizer     a learning rate that is not positive and finite, or any other
//                             hyper-parameter not finite
//   bad-request-architecture  an unknown built-in spec, a module hash not 32 bytes, or a
//                             class count other than the built-in's (0 for a module)
//   bad-request-input-shape   an input shape the architecture cannot take
//   bad-request-input-transform  an input transform or class names a stage would refuse
// A TorchScript module is known here only by its hash: whether it loads,
// takes the input shape and gives numClasses outputs needs libtorch and is
// found out by the first node that trains it.
// `minDeclarers` and `maxDeclarers` are the genesis bounds on C.
Rejection checkTrainingRequest(schema::TrainingRequest::Body::Reader body, uint32_t minDeclarers,
                               uint32_t maxDeclarers);

}  // namespace pot
