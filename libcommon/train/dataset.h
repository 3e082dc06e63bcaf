// Datasets for partition and evaluation: IDX (gzipped or not), CSV with a label column and
// NumPy arrays (DESIGN 4.5, 4.6).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "libcommon/core/status.h"

namespace pot {

// Samples as raw pixels: uint8 (IDX, scaled by 1/255 when trained) or
// float32 (CSV features, used as they are).
struct Dataset {
  std::vector<uint32_t> sampleShape;  // e.g. [1, 28, 28] or [n_features]
  bool isUint8 = true;
  std::vector<uint8_t> pixels;  // size() x prod(sampleShape), when isUint8
  std::vector<float> features;  // size() x prod(sampleShape), otherwise
  std::vector<uint32_t> labels;
  // Text labels (CSV): label k is classNames[k]; empty for numeric labels.
  std::vector<std::string> classNames;
  size_t size() const { return labels.size(); }
  uint32_t numClasses() const;  // 1 + the largest label
};

// Debian's dataset-fashion-mnist install path.
constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Reads an IDX image file (3-D uint8 tensor, magic 0x00000803) and its IDX
// label file (magic 0x00000801); either may be gzipped. Images become
// [1, rows, cols] samples. Errors are malformed (3) for bad content, I/O (4)
// for missing files.
Result<Dataset> loadIdx(const std::string& imagesPath, const std::string& labelsPath);

// Reads a CSV, one sample a line, with the label in column `labelColumn`
// (0-based; -1 means the last). A first line whose features are not all
// numbers is a header and skipped. Pixel-like data (all integers 0..255)
// stays uint8; anything else becomes float32. Labels are class numbers
// 0..65535, or text: then the classes are the distinct labels in byte order
// and classNames lists them (DESIGN 4.6).
// With `knownClasses` (the request's class names, for evaluation), every
// label must be one of them and takes its id there; a label that is not is
// malformed (3), naming the line.
Result<Dataset> loadCsv(const std::string& path, int labelColumn,
                        const std::vector<std::string>* knownClasses = nullptr);

// NumPy arrays (DESIGN 4.6): samples of shape (N, ...) as uint8 (scaled by
// 1/255 when trained) or float32 (used as they are), and labels of shape (N,)
// of an integer dtype with values 0..65535. From two .npy files, or from one
// .npz (NumPy's zip of .npy files, stored or deflated) holding the arrays
// named `samplesKey` and `labelsKey`. Malformed (3) for an unsupported dtype
// or mismatched lengths, I/O (4) for missing files.
Result<Dataset> loadNpy(const std::string& samplesPath, const std::string& labelsPath);
Result<Dataset> loadNpz(const std::string& path, const std::string& samplesKey = "x",
                        const std::string& labelsKey = "y");

// Where a tool's dataset comes from: at most one of IDX (images and
// labels), CSV, two .npy files or one .npz; none means the caller's default
// IDX pair.
struct DatasetSource {
  std::string images, labels;  // IDX
  std::string csv;
  int labelColumn = -1;
  std::string npySamples, npyLabels;
  std::string npz;
  std::string npzKeys;  // "SAMPLES,LABELS"; empty: "x,y"

  bool given() const {
    return !images.empty() || !labels.empty() || !csv.empty() || !npySamples.empty() ||
           !npz.empty();
  }
};

// Reads the source (IDX from `defaultImages`/`defaultLabels` where not
// given). Usage (2) for two kinds at once or --npz-keys without --npz;
// `knownClasses` as for loadCsv.
Result<Dataset> loadDataset(const DatasetSource& source, const std::string& defaultImages,
                            const std::string& defaultLabels,
                            const std::vector<std::string>* knownClasses = nullptr);

// Keeps the first n samples (n == 0 keeps all).
void truncateDataset(Dataset& data, size_t n);

// Whole file, gunzipped when it starts with the gzip magic.
Result<std::vector<uint8_t>> readMaybeGzip(const std::string& path);

}  // namespace pot
