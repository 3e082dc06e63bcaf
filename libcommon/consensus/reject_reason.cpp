// Names of the reject reasons, exactly as docs/protocol.md lists them.
#include "libcommon/consensus/reject_reason.h"

#include <cassert>

namespace pot {

std::string_view rejectName(RejectReason reason) {
  using R = RejectReason;
  switch (reason) {
    case R::kNone:
      return "";
    case R::kMalformed:
      return "malformed";
    case R::kNonCanonical:
      return "non-canonical";
    case R::kNotABlock:
      return "not-a-block";
    case R::kTooManyTransactions:
      return "too-many-transactions";
    case R::kBadFieldSize:
      return "bad-field-size";
    case R::kUnknownParent:
      return "unknown-parent";
    case R::kBadHeight:
      return "bad-height";
    case R::kTimeTooOld:
      return "time-too-old";
    case R::kTimeTooNew:
      return "time-too-new";
    case R::kUnknownModel:
      return "unknown-model";
    case R::kStageOutOfOrder:
      return "stage-out-of-order";
    case R::kBadHeaderSig:
      return "bad-header-sig";
    case R::kBadCoinstake:
      return "bad-coinstake";
    case R::kStakeTooYoung:
      return "stake-too-young";
    case R::kHeaderKernelAboveTarget:
      return "header-kernel-above-target";
    case R::kBadTdSig:
      return "bad-td-sig";
    case R::kBadStakeSig:
      return "bad-stake-sig";
    case R::kBadBlockSig:
      return "bad-block-sig";
    case R::kEscrowWithoutStage:
      return "escrow-without-stage";
    case R::kBadTxSig:
      return "bad-tx-sig";
    case R::kWrongDeclarerCount:
      return "wrong-declarer-count";
    case R::kDeclarationMismatch:
      return "declaration-mismatch";
    case R::kDuplicateVoter:
      return "duplicate-voter";
    case R::kTdAfterHeader:
      return "td-after-header";
    case R::kTdWrongModel:
      return "td-wrong-model";
    case R::kTdWrongStage:
      return "td-wrong-stage";
    case R::kTdWrongAnchor:
      return "td-wrong-anchor";
    case R::kStateHashMismatch:
      return "state-hash-mismatch";
    case R::kTdCommitmentMismatch:
      return "td-commitment-mismatch";
    case R::kTdKernelAboveTarget:
      return "td-kernel-above-target";
    case R::kWrongStakeholder:
      return "wrong-stakeholder";
    case R::kDuplicateTx:
      return "duplicate-tx";
    case R::kBadNonce:
      return "bad-nonce";
    case R::kDoubleSpend:
      return "double-spend";
    case R::kInsufficientBalance:
      return "insufficient-balance";
    case R::kBadRequestSig:
      return "bad-request-sig";
    case R::kBadRequest:
      return "bad-request";
    case R::kBadRequestStages:
      return "bad-request-stages";
    case R::kBadRequestProfile:
      return "bad-request-profile";
    case R::kBadRequestMinibatch:
      return "bad-request-minibatch";
    case R::kBadRequestLoss:
      return "bad-request-loss";
    case R::kBadRequestOptimizer:
      return "bad-request-optimizer";
    case R::kBadRequestArchitecture:
      return "bad-request-architecture";
    case R::kBadRequestInputShape:
      return "bad-request-input-shape";
    case R::kBadRequestInputTransform:
      return "bad-request-input-transform";
    case R::kDuplicateModel:
      return "duplicate-model";
    case R::kBadTx:
      return "bad-tx";
    case R::kBadCoinbase:
      return "bad-coinbase";
    case R::kReexecuteMismatch:
      return "reexecute-mismatch";
    case R::kNoParentState:
      return "no-parent-state";
    case R::kNoAnchor:
      return "no-anchor";
    case R::kNoStakeholders:
      return "no-stakeholders";
    case R::kApplyFailed:
      return "apply-failed";
    case R::kReexecuteError:
      return "reexecute-error";
  }
  assert(false && "a RejectReason without a name");
  return "";
}

bool isPeerFault(RejectReason reason) {
  using R = RejectReason;
  switch (reason) {
    case R::kNone:
    case R::kUnknownParent:
    case R::kTimeTooNew:
    case R::kNoParentState:
    case R::kNoAnchor:
    case R::kNoStakeholders:
    case R::kApplyFailed:
    case R::kReexecuteError:
      return false;
    default:
      return true;
  }
}

}  // namespace pot
