// Reading JSON members as typed values and as the plain text a script prints.
#include "libcommon/core/json_reader.h"

#include <gtest/gtest.h>

namespace pot {
namespace {

TEST(JsonReader, ScalarsAsPlainText) {
  auto d = JsonDocument::parse(
      R"({"id": "ab\"c", "height": 100000000000, "accuracy": 0.8125, "tiny": 1e-7,)"
      R"( "neg": -3, "ok": true, "no": false, "none": null, "list": [1], "obj": {"a": 1}})");
  ASSERT_TRUE(d) << d.status().message();
  EXPECT_EQ(d->scalar("id"), "ab\"c");
  EXPECT_EQ(d->scalar("height"), "100000000000");
  EXPECT_EQ(d->scalar("accuracy"), "0.8125");
  EXPECT_EQ(d->scalar("tiny"), "1e-07");
  EXPECT_EQ(d->scalar("neg"), "-3");
  EXPECT_EQ(d->scalar("ok"), "true");
  EXPECT_EQ(d->scalar("no"), "false");
  EXPECT_EQ(d->scalar("none"), std::nullopt);
  EXPECT_EQ(d->scalar("list"), std::nullopt);
  EXPECT_EQ(d->scalar("obj"), std::nullopt);
  EXPECT_EQ(d->scalar("missing"), std::nullopt);
}

TEST(JsonReader, TypedLookupsRefuseOtherTypes) {
  auto d = JsonDocument::parse(R"({"n": 2.5, "big": 18446744073709551615, "s": "7"})");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->uint("n"), std::nullopt);
  EXPECT_EQ(d->number("n"), 2.5);
  EXPECT_EQ(d->uint("big"), std::nullopt);  // beyond 2^53: not exact, refused
  EXPECT_EQ(d->uint("s"), std::nullopt);
  EXPECT_EQ(d->string("s"), "7");
}

TEST(JsonReader, MalformedOrNotAnObject) {
  EXPECT_EQ(JsonDocument::parse("{").status().code(), ExitCode::kMalformed);
  EXPECT_EQ(JsonDocument::parse("[1, 2]").status().code(), ExitCode::kMalformed);
}

}  // namespace
}  // namespace pot
