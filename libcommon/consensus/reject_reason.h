// Why a block was refused: one enumerator per reason code of docs/protocol.md ("Validation").
#pragma once

#include <string_view>

namespace pot {

// Callers compare these, never their names: a name is for people and logs,
// and stays stable because scripts and peers read it (docs/protocol.md).
enum class RejectReason {
  kNone,  // no rule was broken
  // The bytes (verdict malformed).
  kMalformed,
  kNonCanonical,
  kNotABlock,
  // The block's rules (verdict invalid), in the order validation checks them.
  kTooManyTransactions,
  kBadFieldSize,
  kUnknownParent,
  kBadHeight,
  kTimeTooOld,
  kTimeTooNew,
  kUnknownModel,
  kStageOutOfOrder,
  kBadHeaderSig,
  kBadCoinstake,
  kStakeTooYoung,
  kHeaderKernelAboveTarget,
  kBadTdSig,
  kBadStakeSig,
  kBadBlockSig,
  kEscrowWithoutStage,
  kBadTxSig,
  kWrongDeclarerCount,
  kDeclarationMismatch,
  kDuplicateVoter,
  kTdAfterHeader,
  kTdWrongModel,
  kTdWrongStage,
  kTdWrongAnchor,
  kStateHashMismatch,
  kTdCommitmentMismatch,
  kTdKernelAboveTarget,
  kWrongStakeholder,
  kDuplicateTx,
  kBadNonce,
  kDoubleSpend,
  kInsufficientBalance,
  kBadRequestSig,
  kBadRequest,
  kBadRequestStages,
  kBadRequestProfile,
  kBadRequestMinibatch,
  kBadRequestLoss,
  kBadRequestOptimizer,
  kBadRequestArchitecture,
  kBadRequestInputShape,
  kBadRequestInputTransform,
  kDuplicateModel,
  kBadTx,
  kBadCoinbase,
  kReexecuteMismatch,
  // Rules we could not evaluate (verdict error): our state, not the block.
  kNoParentState,
  kNoAnchor,
  kNoStakeholders,
  kApplyFailed,
  kReexecuteError,
};

// The stable kebab-case name ("bad-block-sig"); empty for kNone.
std::string_view rejectName(RejectReason reason);

// Whether a peer that sent a block refused for `reason` is at fault: an
// honest peer never sends such a block. Not the peer's fault: a block whose
// parent we lack or that is dated ahead of our clock (an honest race or a
// clock skew), and rules we could not evaluate (our own state).
bool isPeerFault(RejectReason reason);

}  // namespace pot
