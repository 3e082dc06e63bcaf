// Block validation (DESIGN 5.7): every rule, each failure named by a stable reason code.
#pragma once

#include <string>

#include "libcommon/consensus/block_signatures.h"
#include "libcommon/consensus/chain_view.h"
#include "libcommon/consensus/reject_reason.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/target.h"

namespace pot {

// Bounds the work one block can ask of a validator (docs/protocol.md).
constexpr uint32_t kMaxTransactionsPerBlock = 4096;

// Which side is at fault: the block (invalid, exit 1), its encoding
// (malformed, exit 3), or us (error, exit 4).
enum class Verdict { kValid, kInvalid, kMalformed, kError };

struct ValidationResult {
  Verdict verdict = Verdict::kValid;
  RejectReason reason = RejectReason::kNone;  // the broken rule (docs/protocol.md)
  std::string message;                        // for people
  // Filled for a valid block: its id, the header target and trust, and what
  // it records (height, model, stage), so a report says what was checked.
  Hash256 blockId;
  Uint256 headerTarget;
  Uint256 trust;
  uint64_t height = 0;
  Hash256 modelId;
  uint32_t stage = 0;
  // Set by the caller that also re-ran the stage (pot-verify-block --reexecute).
  bool reexecuted = false;

  bool valid() const { return verdict == Verdict::kValid; }
  ExitCode exitCode() const;
  // Ok when valid, else "<code>: <message>" with the verdict's exit code.
  Status toStatus() const;
  // {"valid", "code", "message"}; for a valid block also id, trust, height,
  // model, stage and reexecuted.
  std::string toJson() const;
};

// A ValidationResult for a broken rule.
ValidationResult reject(RejectReason reason, const std::string& message,
                        Verdict verdict = Verdict::kInvalid);

// Checks a decoded block message against the chain at local time `now`
// (Unix seconds; UINT64_MAX disables the too-new rule, for replay).
// `checked`, when given, is what checkWrapper (and checkOtherSignatures)
// found for this very block (the chain store checks them on all cores
// ahead): its ids are used instead of hashing again, and a signature it
// verified is not verified again; the rules, their order and the reject
// codes are the same with or without it.
ValidationResult validateBlock(const ChainView& chain, const Message& block, uint64_t now,
                               const BlockSignatures* checked = nullptr);

// The same from file bytes: decoding errors become `non-canonical` or
// `malformed` verdicts.
ValidationResult validateBlockBytes(const ChainView& chain, Bytes bytes, uint64_t now);

// The reason for bytes decodeMessage refused with `failure`: `non-canonical`
// or `malformed`.
RejectReason undecodableReason(DecodeFailure failure);

}  // namespace pot
