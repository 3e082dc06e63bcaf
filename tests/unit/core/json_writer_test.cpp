// JsonWriter: escaping, separators, nesting and number forms; JsonDocument reads it back.
#include "libcommon/core/json_writer.h"

#include <gtest/gtest.h>

#include <limits>

#include "libcommon/core/json_reader.h"

namespace pot {
namespace {

TEST(JsonWriter, CompactObjectUsesTheToolsSeparators) {
  JsonWriter j;
  j.beginObject().field("id", "ab").field("height", uint64_t{7}).field("ok", true).endObject();
  EXPECT_EQ(j.str(), R"({"id": "ab", "height": 7, "ok": true})");
  EXPECT_TRUE(j.complete());
}

TEST(JsonWriter, EscapesEveryCharacterJsonForbidsRaw) {
  JsonWriter j;
  j.value(std::string("q\"b\\n\n\t\x01\x1f/\xc3\xa9", 12));
  EXPECT_EQ(j.str(), R"("q\"b\\n\n\t\u0001\u001f/)"
                     "\xc3\xa9\"");
}

TEST(JsonWriter, NestsArraysAndObjects) {
  JsonWriter j;
  j.beginArray();
  j.beginObject().key("a").beginArray().value(1).value(-2).endArray().endObject();
  j.beginArray().endArray();
  j.beginObject().endObject();
  j.null();
  j.endArray();
  EXPECT_EQ(j.str(), R"([{"a": [1, -2]}, [], {}, null])");
}

TEST(JsonWriter, PrettyIndentsByTwo) {
  JsonWriter j(JsonWriter::Style::kPretty);
  j.beginObject().field("a", 1).key("b").beginArray().value("x").endArray().endObject();
  EXPECT_EQ(j.str(), "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}");
}

TEST(JsonWriter, NumbersAreExactOrNull) {
  JsonWriter j;
  j.beginArray()
      .value(std::numeric_limits<uint64_t>::max())
      .value(std::numeric_limits<int64_t>::min())
      .value(0.1)
      .value(0.8672)
      .value(std::numeric_limits<double>::quiet_NaN())
      .endArray();
  EXPECT_EQ(j.str(), "[18446744073709551615, -9223372036854775808, 0.1, 0.8672, null]");
}

TEST(JsonWriter, RawSplicesAWrittenValue) {
  JsonWriter inner;
  inner.beginObject().field("k", "v").endObject();
  JsonWriter j;
  j.beginObject().key("inner").raw(inner.str()).endObject();
  EXPECT_EQ(j.str(), R"({"inner": {"k": "v"}})");
}

TEST(JsonDocument, ReadsWhatTheWriterWrote) {
  JsonWriter j;
  j.beginObject()
      .field("id", "a\"b\n")
      .field("height", uint64_t{9007199254740991})
      .field("big", uint64_t{9007199254740993})
      .field("neg", -1)
      .field("valid", false)
      .field("accuracy", 0.8672)
      .key("tip")
      .beginObject()
      .field("height", 12)
      .endObject()
      .endObject();
  auto doc = JsonDocument::parse(j.str());
  ASSERT_TRUE(doc) << doc.status().message();
  EXPECT_EQ(doc->string("id"), "a\"b\n");
  EXPECT_EQ(doc->uint("height"), uint64_t{9007199254740991});
  // From 2^53 on a double cannot hold every integer: refused, not rounded.
  EXPECT_FALSE(doc->uint("big"));
  EXPECT_FALSE(doc->uint("neg"));
  EXPECT_EQ(doc->boolean("valid"), false);
  EXPECT_EQ(doc->number("accuracy"), 0.8672);
  EXPECT_FALSE(doc->string("height"));  // wrong type
  EXPECT_FALSE(doc->has("missing"));
  auto tip = doc->object("tip");
  ASSERT_TRUE(tip);
  EXPECT_EQ(tip->uint("height"), 12u);
}

TEST(JsonDocument, RefusesMalformedTextAndNonObjects) {
  for (const char* bad : {"", "{", "{\"a\": }", "[1, 2]", "\"s\"", "{\"a\": 1} x"}) {
    auto doc = JsonDocument::parse(bad);
    ASSERT_FALSE(doc) << bad;
    EXPECT_EQ(doc.status().code(), ExitCode::kMalformed) << bad;
  }
}

}  // namespace
}  // namespace pot

namespace pot {
namespace {

// Cap'n Proto 0.9's JSON parser reads "\u001b" as 0x11 and "\u00e9" as one
// byte; the reader decodes escapes itself first (found by fuzz_arrays).
TEST(JsonDocument, DecodesUnicodeEscapesAsUtf8) {
  auto doc = JsonDocument::parse(
      R"({"esc": "a\u001bb", "upper": "\u001B", "e": "caf\u00e9", "smile": "\ud83d\ude00",)"
      R"( "quote": "\u0022\u005c", "plain": "\\u0041"})");
  ASSERT_TRUE(doc) << doc.status().message();
  EXPECT_EQ(doc->string("esc"),
            "a\x1b"
            "b");
  EXPECT_EQ(doc->string("upper"), "\x1b");
  EXPECT_EQ(doc->string("e"), "caf\xc3\xa9");
  EXPECT_EQ(doc->string("smile"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(doc->string("quote"), "\"\\");
  EXPECT_EQ(doc->string("plain"), "\\u0041");  // an escaped backslash, then text
  for (const char* bad : {R"({"a": "\ud83d"})", R"({"a": "\ude00"})", R"({"a": "\u12"})"})
    EXPECT_FALSE(JsonDocument::parse(bad)) << bad;
}

TEST(JsonDocument, EveryCharacterRoundTripsThroughTheWriter) {
  std::string all;
  for (int c = 1; c < 128; ++c) all += static_cast<char>(c);
  all += "\xc3\xa9\xf0\x9f\x98\x80";
  JsonWriter j;
  j.beginObject().field(all, all).endObject();
  auto doc = JsonDocument::parse(j.str());
  ASSERT_TRUE(doc) << doc.status().message();
  ASSERT_EQ(doc->keys().size(), 1u);
  EXPECT_EQ(doc->keys()[0], all);
  EXPECT_EQ(doc->string(all), all);
}

TEST(JsonDocument, ArraysOfStringsAndOfObjects) {
  auto doc = JsonDocument::parse(
      R"({"names": ["a", "b\"c"], "rows": [{"n": 1}, {"n": 2, "s": "x"}], "mixed": [1, "a"],
          "empty": []})");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->stringArray("names"), (std::vector<std::string>{"a", "b\"c"}));
  auto rows = doc->objectArray("rows");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].uint("n"), 1u);
  EXPECT_EQ((*rows)[1].string("s"), "x");
  EXPECT_EQ(doc->stringArray("mixed"), std::nullopt);
  EXPECT_FALSE(doc->objectArray("names"));
  EXPECT_EQ(doc->stringArray("missing"), std::nullopt);
  EXPECT_EQ(doc->objectArray("empty")->size(), 0u);
  // Each row outlives the document it came from.
  std::vector<JsonDocument> kept;
  {
    auto other = JsonDocument::parse(R"({"rows": [{"n": 7}]})");
    ASSERT_TRUE(other);
    kept = std::move(*other->objectArray("rows"));
  }
  EXPECT_EQ(kept[0].uint("n"), 7u);
}

}  // namespace
}  // namespace pot
