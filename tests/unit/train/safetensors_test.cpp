// safetensors: round trip, and every malformed header or data layout is refused.
#include "libcommon/train/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>

#include "libcommon/core/coding.h"

namespace pot {
namespace {

SafetensorsFile sample() {
  SafetensorsFile f;
  f.tensors.push_back({"0.weight", "F32", {2, 2}, Bytes(16, 1)});
  f.tensors.push_back({"0.bias", "F32", {2}, Bytes(8, 2)});
  f.tensors.push_back({"steps", "I64", {}, Bytes(8, 3)});
  f.metadata["format"] = "pot-state/1";
  return f;
}

// A file from a hand-written header and data.
Bytes fileOf(const std::string& header, const Bytes& data) {
  Bytes out(8);
  coding::putLe64(out.data(), header.size());
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

void expectMalformed(const Bytes& bytes, const std::string& words) {
  auto f = readSafetensors(bytes);
  ASSERT_FALSE(f) << words;
  EXPECT_EQ(f.status().code(), ExitCode::kMalformed);
  EXPECT_NE(f.status().message().find(words), std::string::npos) << f.status().message();
}

TEST(Safetensors, RoundTripKeepsOrderDataAndMetadata) {
  Bytes bytes = writeSafetensors(sample());
  EXPECT_EQ(coding::getLe64(bytes.data()) % 8, 0u);  // data starts aligned
  auto f = readSafetensors(bytes);
  ASSERT_TRUE(f) << f.status().message();
  ASSERT_EQ(f->tensors.size(), 3u);
  EXPECT_EQ(f->tensors[0].name, "0.weight");
  EXPECT_EQ(f->tensors[1].data, Bytes(8, 2));
  EXPECT_TRUE(f->tensors[2].shape.empty());
  EXPECT_EQ(f->metadata.at("format"), "pot-state/1");
  EXPECT_EQ(writeSafetensors(*f), bytes);
}

TEST(Safetensors, DataOrderWinsOverKeyOrder) {
  auto f = readSafetensors(fileOf(R"({"b": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]},)"
                                  R"( "a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}})",
                                  Bytes{7, 9}));
  ASSERT_TRUE(f) << f.status().message();
  EXPECT_EQ(f->tensors[0].name, "a");
  EXPECT_EQ(f->tensors[0].data, Bytes{7});
}

TEST(Safetensors, RefusesTruncationAtEveryLength) {
  Bytes bytes = writeSafetensors(sample());
  const size_t header = 8 + coding::getLe64(bytes.data());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Bytes cut(bytes.begin(), bytes.begin() + n);
    auto f = readSafetensors(cut);
    ASSERT_FALSE(f) << n;
    EXPECT_EQ(f.status().code(), ExitCode::kMalformed) << n;
    if (n >= 8 && n < header)
      EXPECT_NE(f.status().message().find("truncated safetensors header"), std::string::npos);
  }
}

TEST(Safetensors, RefusesBadLayouts) {
  const std::string u8 = R"({"dtype": "U8", "shape": [2], "data_offsets": )";
  expectMalformed(fileOf("[1]", {}), "not an object");
  expectMalformed(
      fileOf(R"({"a": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}})", Bytes(2)),
      "dtype 'BF16'");
  expectMalformed(fileOf(R"({"a": )" + u8 + "[0, 3]}}", Bytes(3)), "bytes for its shape");
  expectMalformed(fileOf(R"({"a": )" + u8 + "[0, 2]}}", Bytes(1)), "outside the data");
  expectMalformed(fileOf(R"({"a": )" + u8 + "[0, 2]}, " + R"("b": )" + u8 + "[1, 3]}}", Bytes(3)),
                  "overlapping");
  expectMalformed(fileOf(R"({"a": )" + u8 + "[1, 3]}}", Bytes(3)), "a hole");
  expectMalformed(fileOf(R"({"a": )" + u8 + "[0, 2]}}", Bytes(3)), "after its last tensor");
  expectMalformed(fileOf(R"({"a": )" + u8 + "[0, 2]}, " + R"("a": )" + u8 + "[2, 4]}}", Bytes(4)),
                  "twice");
  expectMalformed(fileOf(R"({"a": {"dtype": "U8", "shape": [-1], "data_offsets": [0, 0]}})", {}),
                  "needs dtype, shape");
  expectMalformed(fileOf(R"({"__metadata__": {"k": 1}})", {}), "is not a string");
  Bytes huge(16, 0);
  coding::putLe64(huge.data(), 200'000'000);
  expectMalformed(huge, "100 MB cap");
}

}  // namespace
}  // namespace pot

namespace pot {
namespace {

// fuzz_arrays found it: a metadata key with a control character did not
// survive write-then-read, because the JSON parser misread "\u001b".
TEST(Safetensors, NamesWithControlAndNonAsciiCharactersRoundTrip) {
  SafetensorsFile f;
  f.tensors.push_back({"w\x1b\xc3\xa9", "U8", {1}, Bytes{5}});
  f.metadata["k\x1b'shape': (4, 2)"] = "v\x01";
  auto back = readSafetensors(writeSafetensors(f));
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(back->tensors[0].name, f.tensors[0].name);
  EXPECT_EQ(back->metadata, f.metadata);
}

}  // namespace
}  // namespace pot
