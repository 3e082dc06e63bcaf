// A training request's registration rules, alone (the block-level test of each code is in
// validate_test.cpp): the first broken rule names the code, in the documented order.
#include "libcommon/consensus/training_request.h"

#include "consensus_fixture.h"

namespace pot::testing {
namespace {

using Body = schema::TrainingRequest::Body::Builder;

Rejection verdict(const std::function<void(Body)>& change) {
  auto employer = SigningKey::generate();
  auto m = decodeOrDie(makeRequest(*employer, 2, 2, 5, "r", change));
  return checkTrainingRequest(m->envelope().getTrainingRequest().getBody(), 1, 8);
}

TEST(TrainingRequest, AValidRequestBreaksNoRule) {
  auto v = verdict(nullptr);
  EXPECT_EQ(v.reason, RejectReason::kNone) << v.message;
}

TEST(TrainingRequest, EachProfileOfTheTableIsAccepted) {
  for (const auto& p : computeProfiles()) {
    auto v = verdict([&](Body b) { fillRequestProfile(p, b.getProfile()); });
    EXPECT_EQ(v.reason, RejectReason::kNone) << p.name << ": " << v.message;
  }
}

TEST(TrainingRequest, TheFirstBrokenRuleIsNamed) {
  // Both the profile and b are wrong: the profile comes first.
  auto v = verdict([](Body b) {
    b.getProfile().setName("nope");
    b.setMinibatchSize(1);
  });
  EXPECT_EQ(v.reason, RejectReason::kBadRequestProfile);
  EXPECT_NE(v.message.find("unknown compute profile 'nope'"), std::string::npos) << v.message;
  v = verdict([](Body b) { b.setDeclarers(9); });
  EXPECT_EQ(v.reason, RejectReason::kBadRequest);
  v = verdict([](Body b) {
    const Bytes shortHash(3, 0);
    b.setInitialState(kj::arrayPtr(shortHash.data(), shortHash.size()));
  });
  EXPECT_EQ(v.reason, RejectReason::kBadRequest);
}

TEST(TrainingRequest, MinibatchOfTwoIsTheSmallest) {
  EXPECT_EQ(verdict([](Body b) { b.setMinibatchSize(2); }).reason, RejectReason::kNone);
  EXPECT_EQ(verdict([](Body b) { b.setMinibatchSize(1); }).reason,
            RejectReason::kBadRequestMinibatch);
}

}  // namespace
}  // namespace pot::testing
