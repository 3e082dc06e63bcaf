// Reject reasons: names are the stable ones of docs/protocol.md, and which are a peer's fault.
#include "libcommon/consensus/reject_reason.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pot {
namespace {

TEST(RejectReason, NamesAreTheProtocolsAndDistinct) {
  EXPECT_EQ(rejectName(RejectReason::kNone), "");
  EXPECT_EQ(rejectName(RejectReason::kBadBlockSig), "bad-block-sig");
  EXPECT_EQ(rejectName(RejectReason::kHeaderKernelAboveTarget), "header-kernel-above-target");
  EXPECT_EQ(rejectName(RejectReason::kNonCanonical), "non-canonical");
  EXPECT_EQ(rejectName(RejectReason::kReexecuteError), "reexecute-error");
  EXPECT_EQ(rejectName(RejectReason::kBadRequestMinibatch), "bad-request-minibatch");
  EXPECT_EQ(rejectName(RejectReason::kBadRequestInputShape), "bad-request-input-shape");
  std::set<std::string> seen;
  for (int i = 0; i <= static_cast<int>(RejectReason::kReexecuteError); ++i) {
    const std::string name(rejectName(static_cast<RejectReason>(i)));
    EXPECT_TRUE(seen.insert(name).second) << name;
    if (i > 0) EXPECT_FALSE(name.empty()) << i;
  }
}

TEST(RejectReason, HonestRacesAndOurOwnStateAreNoPeersFault) {
  EXPECT_FALSE(isPeerFault(RejectReason::kUnknownParent));
  EXPECT_FALSE(isPeerFault(RejectReason::kTimeTooNew));
  EXPECT_FALSE(isPeerFault(RejectReason::kNoParentState));
  EXPECT_FALSE(isPeerFault(RejectReason::kNone));
  EXPECT_TRUE(isPeerFault(RejectReason::kBadBlockSig));
  EXPECT_TRUE(isPeerFault(RejectReason::kMalformed));
  EXPECT_TRUE(isPeerFault(RejectReason::kTimeTooOld));
}

}  // namespace
}  // namespace pot
