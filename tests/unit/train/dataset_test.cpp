// IDX (plain and gzipped) and CSV readers: good files load, damaged ones are refused with the right
// code.
#include "libcommon/train/dataset.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>

namespace {

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pot-dataset-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes, bool gzip = false) {
    std::string path = dir_ + "/" + name;
    if (gzip) {
      gzFile f = gzopen(path.c_str(), "wb");
      gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
      gzclose(f);
    } else {
      std::ofstream(path, std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    }
    return path;
  }
  static std::vector<uint8_t> idxImages(uint32_t n, uint32_t rows, uint32_t cols) {
    std::vector<uint8_t> b = {0, 0, 8, 3};
    for (uint32_t v : {n, rows, cols})
      for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
    for (uint32_t i = 0; i < n * rows * cols; ++i) b.push_back(static_cast<uint8_t>(i));
    return b;
  }
  static std::vector<uint8_t> idxLabels(uint32_t n) {
    std::vector<uint8_t> b = {0, 0, 8, 1};
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(n >> s));
    for (uint32_t i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(i % 10));
    return b;
  }
  std::string dir_;
};

TEST_F(DatasetTest, IdxPlainAndGzipGiveTheSameSamples) {
  auto plain = pot::loadIdx(write("i", idxImages(5, 3, 4)), write("l", idxLabels(5)));
  ASSERT_TRUE(plain) << plain.status().message();
  auto gz =
      pot::loadIdx(write("i.gz", idxImages(5, 3, 4), true), write("l.gz", idxLabels(5), true));
  ASSERT_TRUE(gz) << gz.status().message();
  EXPECT_EQ(plain->size(), 5u);
  EXPECT_EQ(plain->sampleShape, (std::vector<uint32_t>{1, 3, 4}));
  EXPECT_EQ(plain->pixels, gz->pixels);
  EXPECT_EQ(plain->labels, gz->labels);
  EXPECT_EQ(plain->pixels[13], 13);
  EXPECT_EQ(plain->numClasses(), 5u);
}

TEST_F(DatasetTest, DamagedIdxIsMalformed) {
  auto images = idxImages(5, 3, 4);
  auto shortImages = images;
  shortImages.pop_back();
  auto r = pot::loadIdx(write("i", shortImages), write("l", idxLabels(5)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  r = pot::loadIdx(write("i2", images), write("l2", idxLabels(4)));
  ASSERT_FALSE(r);
  EXPECT_NE(r.status().message().find("4 labels for 5 images"), std::string::npos);
  // A gzip stream cut in half.
  std::string gz = write("i.gz", images, true);
  std::ifstream in(gz, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), {});
  bytes.resize(bytes.size() / 2);
  r = pot::loadIdx(write("cut.gz", bytes), write("l3", idxLabels(5)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  r = pot::loadIdx(dir_ + "/missing", write("l4", idxLabels(5)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kIo);
}

TEST_F(DatasetTest, CsvHeaderLabelColumnAndTypes) {
  std::string text = "label,a,b\n2,0,255\n0,7,8\n";
  auto r = pot::loadCsv(write("d.csv", {text.begin(), text.end()}), 0);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_TRUE(r->isUint8);
  EXPECT_EQ(r->labels, (std::vector<uint32_t>{2, 0}));
  EXPECT_EQ(r->pixels, (std::vector<uint8_t>{0, 255, 7, 8}));
  std::string floats = "0.5,-1,1\n2,3,0\n";
  r = pot::loadCsv(write("f.csv", {floats.begin(), floats.end()}), -1);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_FALSE(r->isUint8);
  EXPECT_EQ(r->features, (std::vector<float>{0.5f, -1.f, 2.f, 3.f}));
  std::string bad = "1,2\n3,x\n";
  r = pot::loadCsv(write("b.csv", {bad.begin(), bad.end()}), -1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  std::string badLabel = "1,2.5\n";
  r = pot::loadCsv(write("bl.csv", {badLabel.begin(), badLabel.end()}), -1);
  ASSERT_FALSE(r);
}

TEST_F(DatasetTest, CsvTextLabelsAreClassesInByteOrder) {
  std::string text = "a,b,species\n0.5,1,virginica\n2,3,setosa\n4,5,virginica\n";
  std::string path = write("t.csv", {text.begin(), text.end()});
  auto r = pot::loadCsv(path, -1);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->classNames, (std::vector<std::string>{"setosa", "virginica"}));
  EXPECT_EQ(r->labels, (std::vector<uint32_t>{1, 0, 1}));
  // Evaluation maps labels through the request's names, in its order.
  std::vector<std::string> known{"virginica", "versicolor", "setosa"};
  r = pot::loadCsv(path, -1, &known);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->labels, (std::vector<uint32_t>{0, 2, 0}));
  std::vector<std::string> other{"setosa"};
  r = pot::loadCsv(path, -1, &other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  EXPECT_NE(r.status().message().find("line 2: label 'virginica' is not a class"),
            std::string::npos);
  // Numbers and text in one label column is a mistake, not two kinds of class.
  std::string mixed = "1,2\n3,4\n5,x\n";
  r = pot::loadCsv(write("m.csv", {mixed.begin(), mixed.end()}), -1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  // A header whose feature names are numbers stays a header above numeric labels.
  std::string header = "0,1,label\n7,8,1\n9,10,0\n";
  r = pot::loadCsv(write("h.csv", {header.begin(), header.end()}), -1);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_TRUE(r->classNames.empty());
  EXPECT_EQ(r->labels, (std::vector<uint32_t>{1, 0}));
  EXPECT_EQ(r->pixels, (std::vector<uint8_t>{7, 8, 9, 10}));
}

TEST(Dataset, FashionMnistTestSetLoads) {
  std::string dir = pot::kFashionMnistDir;
  if (access((dir + "/t10k-images-idx3-ubyte.gz").c_str(), R_OK) != 0)
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  auto r = pot::loadIdx(dir + "/t10k-images-idx3-ubyte.gz", dir + "/t10k-labels-idx1-ubyte.gz");
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->size(), 10000u);
  EXPECT_EQ(r->sampleShape, (std::vector<uint32_t>{1, 28, 28}));
  EXPECT_EQ(r->numClasses(), 10u);
  pot::truncateDataset(*r, 100);
  EXPECT_EQ(r->size(), 100u);
  EXPECT_EQ(r->pixels.size(), 100u * 784);
}

}  // namespace
