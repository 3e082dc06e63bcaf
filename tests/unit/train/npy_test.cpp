// NumPy inputs: .npy headers of every version, the dtypes datasets take and refuse, and real
// .npy/.npz files written by Debian's numpy.
#include "libcommon/train/npy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "libcommon/train/dataset.h"

namespace pot {
namespace {

// A version-1 .npy file as numpy writes it: header padded to a multiple of 64.
Bytes npy(const std::string& descr, const std::string& shape, const Bytes& data, uint8_t major = 1,
          bool fortran = false) {
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                     ", 'shape': " + shape + ", }";
  const size_t prefix = major == 1 ? 10 : 12;
  size_t total = prefix + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  Bytes out = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  if (major == 1) {
    out.push_back(static_cast<uint8_t>(dict.size()));
    out.push_back(static_cast<uint8_t>(dict.size() >> 8));
  } else {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(dict.size() >> (8 * i)));
  }
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

TEST(Npy, ReadsVersionsOneToThree) {
  for (uint8_t major : {1, 2, 3}) {
    auto a = parseNpy(npy("|u1", "(2, 3)", Bytes{1, 2, 3, 4, 5, 6}, major), "x");
    ASSERT_TRUE(a) << a.status().message();
    EXPECT_EQ(a->dtype, "uint8");
    EXPECT_EQ(a->shape, (std::vector<uint64_t>{2, 3}));
    EXPECT_EQ(a->data[5], 6);
  }
  auto scalar = parseNpy(npy("<i8", "()", Bytes(8, 0)), "s");
  ASSERT_TRUE(scalar);
  EXPECT_TRUE(scalar->shape.empty());
  auto one = parseNpy(npy("<f4", "(3,)", Bytes(12, 0)), "v");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->shape, (std::vector<uint64_t>{3}));
}

TEST(Npy, RefusesWhatItCannotReadExactly) {
  auto expectBad = [](const Bytes& b, const std::string& words) {
    auto a = parseNpy(b, "'f.npy'");
    ASSERT_FALSE(a) << words;
    EXPECT_EQ(a.status().code(), ExitCode::kMalformed);
    EXPECT_NE(a.status().message().find(words), std::string::npos) << a.status().message();
    EXPECT_EQ(a.status().message().rfind("'f.npy': ", 0), 0u);
  };
  expectBad(Bytes{'P', 'K', 3, 4}, "magic");
  expectBad(npy(">f4", "(1,)", Bytes(4)), "dtype '>f4' is not supported");
  expectBad(npy("|O", "(1,)", Bytes(8)), "dtype '|O' is not supported");
  expectBad(npy("<c8", "(1,)", Bytes(8)), "is not supported");
  expectBad(npy("<f4", "(2, 2)", Bytes(16), 1, true), "Fortran-order");
  expectBad(npy("<f4", "(2, 2)", Bytes(15)), "needs 16");
  expectBad(npy("<f4", "(2, x)", Bytes(16)), "shape is not a tuple");
  Bytes v9 = npy("|u1", "(1,)", Bytes(1));
  v9[6] = 9;
  expectBad(v9, "version 9");
  Bytes cut = npy("|u1", "(1,)", Bytes(1));
  cut.resize(40);
  expectBad(cut, "truncated .npy header");
}

class NpyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("pot-npy-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string put(const std::string& name, const Bytes& bytes) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(NpyFiles, DatasetFromTwoNpyFiles) {
  auto x = put("x.npy", npy("|u1", "(2, 1, 2, 2)", Bytes{0, 1, 2, 3, 4, 5, 6, 255}));
  auto y = put("y.npy", npy("<i8", "(2,)", Bytes{7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}));
  auto d = loadNpy(x, y);
  ASSERT_TRUE(d) << d.status().message();
  EXPECT_EQ(d->sampleShape, (std::vector<uint32_t>{1, 2, 2}));
  EXPECT_TRUE(d->isUint8);
  EXPECT_EQ(d->labels, (std::vector<uint32_t>{7, 1}));
  EXPECT_EQ(d->pixels.back(), 255);
}

TEST_F(NpyFiles, DatasetRefusals) {
  auto x = put("x.npy", npy("<f8", "(2, 2)", Bytes(32)));
  auto xu = put("xu.npy", npy("|u1", "(2, 2)", Bytes(4)));
  auto y = put("y.npy", npy("<i4", "(2,)", Bytes(8)));
  auto y3 = put("y3.npy", npy("<i4", "(3,)", Bytes(12)));
  auto yneg = put("yneg.npy", npy("<i4", "(2,)", Bytes{0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}));
  auto yf = put("yf.npy", npy("<f4", "(2,)", Bytes(8)));
  struct Case {
    std::string samples, labels, words;
  } cases[] = {{x, y, "dtype float64 are not supported (uint8 or float32)"},
               {xu, y3, "3 labels for 2 samples"},
               {xu, yneg, "label 1 is not a class number"},
               {xu, yf, "not class numbers"}};
  for (const auto& c : cases) {
    auto d = loadNpy(c.samples, c.labels);
    ASSERT_FALSE(d) << c.words;
    EXPECT_EQ(d.status().code(), ExitCode::kMalformed);
    EXPECT_NE(d.status().message().find(c.words), std::string::npos) << d.status().message();
  }
  auto missing = loadNpy((dir_ / "none.npy").string(), y);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), ExitCode::kIo);
}

// Files as ML users have them: written by numpy itself (np.save, np.savez,
// np.savez_compressed), read back sample for sample.
TEST_F(NpyFiles, ReadsWhatNumpyWrites) {
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "x = (np.arange(5 * 3 * 8 * 8) % 251).astype(np.uint8).reshape(5, 3, 8, 8)\n"
      "y = np.array([0, 4, 2, 9, 1], dtype=np.int64)\n"
      "np.save(d + '/x.npy', x); np.save(d + '/y.npy', y)\n"
      "np.savez(d + '/plain.npz', x=x, y=y)\n"
      "np.savez_compressed(d + '/packed.npz', images=x.astype(np.float32) / 7, "
      "classes=y.astype(np.uint8))\n";
  put("make.py", Bytes(script.begin(), script.end()));
  const std::string cmd = "/usr/bin/python3 " + (dir_ / "make.py").string() + " " + dir_.string();
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "no /usr/bin/python3 with numpy";
  auto a = loadNpy((dir_ / "x.npy").string(), (dir_ / "y.npy").string());
  ASSERT_TRUE(a) << a.status().message();
  EXPECT_EQ(a->sampleShape, (std::vector<uint32_t>{3, 8, 8}));
  EXPECT_EQ(a->labels, (std::vector<uint32_t>{0, 4, 2, 9, 1}));
  EXPECT_EQ(a->pixels[250], 250);
  EXPECT_EQ(a->pixels[251], 0);
  auto b = loadNpz((dir_ / "plain.npz").string());
  ASSERT_TRUE(b) << b.status().message();
  EXPECT_EQ(b->pixels, a->pixels);
  EXPECT_EQ(b->labels, a->labels);
  auto c = loadNpz((dir_ / "packed.npz").string(), "images", "classes");
  ASSERT_TRUE(c) << c.status().message();
  EXPECT_FALSE(c->isUint8);
  ASSERT_EQ(c->features.size(), a->pixels.size());
  EXPECT_EQ(c->features[9], 9.0f / 7);
  auto wrongKey = loadNpz((dir_ / "packed.npz").string());
  ASSERT_FALSE(wrongKey);
  EXPECT_NE(wrongKey.status().message().find("holds no array 'x.npy'"), std::string::npos);
  auto notZip = loadNpz((dir_ / "x.npy").string());
  ASSERT_FALSE(notZip);
  EXPECT_EQ(notZip.status().code(), ExitCode::kMalformed);
}

}  // namespace
}  // namespace pot

namespace pot {
namespace {

// fuzz_datasets found it: a 546-byte .npz whose zip64 entry claims 4 GB made
// the reader allocate the claim up front. Now it reads what is really there.
TEST(Npz, AClaimedSizeIsNotAllocatedUpFront) {
  auto d = loadNpz(std::string(POT_SOURCE_DIR) + "/tests/testdata/fuzz/npz-claims-4gb");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.status().code(), ExitCode::kMalformed);
}

}  // namespace
}  // namespace pot

namespace pot {
namespace {

// fuzz_datasets found it: a CSV whose label cell holds a NUL byte among
// numeric labels made loadCsv throw from std::stod; now it is refused.
TEST(Csv, ALabelThatIsNotQuiteANumberIsRefusedNotThrown) {
  auto d = loadCsv(std::string(POT_SOURCE_DIR) + "/tests/testdata/fuzz/csv-label-stod", -1);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.status().code(), ExitCode::kMalformed);
}

}  // namespace
}  // namespace pot
