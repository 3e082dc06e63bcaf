// IDX, CSV and NumPy readers for partition and evaluation.
#include "libcommon/train/dataset.h"

#include <zip.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>

#include "libcommon/core/coding.h"
#include "libcommon/core/fileio.h"
#include "libcommon/train/npy.h"

namespace pot {

uint32_t Dataset::numClasses() const {
  uint32_t m = 0;
  for (uint32_t l : labels) m = std::max(m, l + 1);
  return m;
}

Result<std::vector<uint8_t>> readMaybeGzip(const std::string& path) {
  auto raw = readFile(path, 4ull << 30);
  if (!raw) return raw.status();
  if (raw->size() < 2 || (*raw)[0] != 0x1f || (*raw)[1] != 0x8b) return std::move(*raw);
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::internal("zlib init failed");
  // A few bytes of gzip can inflate to gigabytes: the output is capped, and
  // zlib's 32-bit counters are fed at most 1 GiB at a time so they never wrap.
  constexpr uint64_t kMaxInflated = 16ull << 30;
  constexpr uint64_t kChunk = 1ull << 30;
  std::vector<uint8_t> out;
  out.resize(std::min<uint64_t>(raw->size() * 4 + 1024, kMaxInflated));
  zs.next_in = raw->data();
  uint64_t inLeft = raw->size(), written = 0;
  int rc = Z_OK;
  bool tooLarge = false;
  while (rc != Z_STREAM_END) {
    if (written == out.size()) {
      if (out.size() >= kMaxInflated) {
        tooLarge = true;
        break;
      }
      out.resize(std::min<uint64_t>(out.size() * 2, kMaxInflated));
    }
    if (zs.avail_in == 0 && inLeft > 0) {
      zs.avail_in = static_cast<uInt>(std::min(inLeft, kChunk));
      inLeft -= zs.avail_in;
    }
    zs.next_out = out.data() + written;
    zs.avail_out = static_cast<uInt>(std::min<uint64_t>(out.size() - written, kChunk));
    const uInt before = zs.avail_out;
    rc = inflate(&zs, Z_NO_FLUSH);
    written += before - zs.avail_out;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && inLeft == 0) break;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) break;
  }
  const size_t n = written;
  inflateEnd(&zs);
  if (tooLarge) return Status::malformed("'" + path + "' inflates to more than 16 GiB");
  if (rc != Z_STREAM_END)
    return Status::malformed("'" + path + "' is a corrupt or truncated gzip file");
  out.resize(n);
  return out;
}

Result<Dataset> loadIdx(const std::string& imagesPath, const std::string& labelsPath) {
  auto img = readMaybeGzip(imagesPath);
  if (!img) return img.status();
  auto lab = readMaybeGzip(labelsPath);
  if (!lab) return lab.status();
  if (img->size() < 16 || coding::getBe32(img->data()) != 0x00000803)
    return Status::malformed("'" + imagesPath + "' is not an IDX image file (magic 0x00000803)");
  if (lab->size() < 8 || coding::getBe32(lab->data()) != 0x00000801)
    return Status::malformed("'" + labelsPath + "' is not an IDX label file (magic 0x00000801)");
  uint64_t n = coding::getBe32(img->data() + 4), rows = coding::getBe32(img->data() + 8),
           cols = coding::getBe32(img->data() + 12);
  if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096 || n == 0)
    return Status::malformed("'" + imagesPath + "' has a bad image size");
  if (img->size() != 16 + n * rows * cols)
    return Status::malformed("'" + imagesPath + "' holds " + std::to_string(img->size() - 16) +
                             " pixel bytes, its header promises " +
                             std::to_string(n * rows * cols));
  uint64_t nl = coding::getBe32(lab->data() + 4);
  if (lab->size() != 8 + nl) return Status::malformed("'" + labelsPath + "' is truncated");
  if (nl != n)
    return Status::malformed("'" + labelsPath + "' has " + std::to_string(nl) + " labels for " +
                             std::to_string(n) + " images");
  Dataset d;
  d.sampleShape = {1, static_cast<uint32_t>(rows), static_cast<uint32_t>(cols)};
  d.pixels.assign(img->begin() + 16, img->end());
  d.labels.assign(lab->begin() + 8, lab->end());
  return d;
}

Result<Dataset> loadCsv(const std::string& path, int labelColumn,
                        const std::vector<std::string>* knownClasses) {
  auto raw = readMaybeGzip(path);
  if (!raw) return raw.status();
  std::string text(raw->begin(), raw->end());
  std::istringstream in(text);
  std::string line;
  Dataset d;
  std::vector<double> values;
  std::vector<std::string> labelText;  // per sample, as written
  std::vector<size_t> labelLine;       // per sample, for messages
  size_t width = 0, lineNo = 0;
  bool allBytes = true, numericLabels = true, firstLineTextLabel = false, sawDataLabel = false;
  auto where = [&](size_t n) { return "'" + path + "' line " + std::to_string(n); };
  while (std::getline(in, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells;
    size_t pos = 0;
    while (true) {
      size_t comma = line.find(',', pos);
      cells.push_back(
          line.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    if (width == 0) width = cells.size();
    if (cells.size() != width || width < 2)
      return Status::malformed(where(lineNo) + ": " + std::to_string(cells.size()) +
                               " columns, expected " + std::to_string(width));
    size_t lc = labelColumn < 0 ? width - 1 : static_cast<size_t>(labelColumn);
    if (lc >= width)
      return Status::usage("label column " + std::to_string(labelColumn) + " is out of range (" +
                           std::to_string(width) + " columns)");
    std::vector<double> row;
    bool numeric = true;
    for (size_t i = 0; i < width; ++i) {
      if (i == lc) continue;
      char* end = nullptr;
      double v = std::strtod(cells[i].c_str(), &end);
      if (cells[i].empty() || *end != '\0' || !std::isfinite(v)) numeric = false;
      row.push_back(v);
    }
    if (!numeric) {
      if (lineNo == 1) continue;  // header
      return Status::malformed(where(lineNo) + ": not a number");
    }
    const std::string& label = cells[lc];
    if (label.empty()) return Status::malformed(where(lineNo) + ": the label is empty");
    char* end = nullptr;
    double number = std::strtod(label.c_str(), &end);
    // A label that reads as a number must be a class number; text labels
    // are anything else, and one file does not mix the two (a header aside).
    bool isNumber = *end == '\0' && std::isfinite(number);
    if (isNumber && (number < 0 || number > 65535 || number != std::floor(number)))
      return Status::malformed(where(lineNo) + ": label is not a class number");
    if (lineNo == 1 && !isNumber) {
      firstLineTextLabel = true;  // a header, or the first text label: the rows below say
    } else if (!sawDataLabel) {
      numericLabels = isNumber;
      sawDataLabel = true;
    } else if (isNumber != numericLabels) {
      return Status::malformed(where(lineNo) + ": label '" + label + "' is " +
                               (isNumber ? "a number" : "text") + " where earlier labels are " +
                               (numericLabels ? "class numbers" : "text"));
    }
    labelText.push_back(label);
    labelLine.push_back(lineNo);
    for (double v : row) {
      if (v < 0 || v > 255 || v != std::floor(v)) allBytes = false;
      values.push_back(v);
    }
  }
  // A first line with numeric features but a text label above numeric
  // labels is a header whose feature names are numbers ("0,1,...,label").
  if (firstLineTextLabel && numericLabels && labelLine.size() > 1 && labelLine[0] == 1) {
    labelText.erase(labelText.begin());
    labelLine.erase(labelLine.begin());
    values.erase(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(width - 1));
    allBytes = true;
    for (double v : values)
      if (v < 0 || v > 255 || v != std::floor(v)) allBytes = false;
  } else if (firstLineTextLabel) {
    numericLabels = false;
  }
  if (labelText.empty()) return Status::malformed("'" + path + "' holds no samples");
  if (knownClasses && !knownClasses->empty()) {
    // Evaluation of a model trained on text labels: its ids, never new ones.
    std::map<std::string, uint32_t> id;
    for (size_t k = 0; k < knownClasses->size(); ++k)
      id.emplace((*knownClasses)[k], static_cast<uint32_t>(k));
    for (size_t i = 0; i < labelText.size(); ++i) {
      auto it = id.find(labelText[i]);
      if (it == id.end())
        return Status::malformed(where(labelLine[i]) + ": label '" + labelText[i] +
                                 "' is not a class the model was trained on");
      d.labels.push_back(it->second);
    }
    d.classNames = *knownClasses;
  } else if (numericLabels) {
    for (size_t i = 0; i < labelText.size(); ++i) {
      // Parsed again without exceptions: a label that was not checked as a
      // number (the lone line of a file) is refused, never thrown on (fuzz_datasets).
      char* end = nullptr;
      const double v = std::strtod(labelText[i].c_str(), &end);
      if (labelText[i].empty() || end != labelText[i].c_str() + labelText[i].size() ||
          !(v >= 0 && v <= 65535) || v != std::floor(v))
        return Status::malformed(where(labelLine[i]) + ": label '" + labelText[i] +
                                 "' is not a class number");
      d.labels.push_back(static_cast<uint32_t>(v));
    }
  } else {
    std::set<std::string> distinct(labelText.begin(), labelText.end());
    if (distinct.size() > 65536)
      return Status::malformed("'" + path + "' has more than 65536 distinct labels");
    d.classNames.assign(distinct.begin(), distinct.end());
    std::map<std::string, uint32_t> id;
    for (size_t k = 0; k < d.classNames.size(); ++k)
      id.emplace(d.classNames[k], static_cast<uint32_t>(k));
    for (const auto& l : labelText) d.labels.push_back(id.at(l));
  }
  d.sampleShape = {static_cast<uint32_t>(width - 1)};
  d.isUint8 = allBytes;
  if (allBytes)
    for (double v : values) d.pixels.push_back(static_cast<uint8_t>(v));
  else
    for (double v : values) d.features.push_back(static_cast<float>(v));
  return d;
}

namespace {

// Datasets are read whole; a file this large is a mistake, not a dataset.
constexpr uint64_t kMaxArrayBytes = 16ull << 30;

Result<Dataset> datasetFromArrays(const NpyArray& samples, const NpyArray& labels,
                                  const std::string& samplesName, const std::string& labelsName) {
  if (samples.dtype != "uint8" && samples.dtype != "float32")
    return Status::malformed(samplesName + ": samples of dtype " + samples.dtype +
                             " are not supported (uint8 or float32)");
  if (samples.shape.empty() || samples.shape[0] == 0)
    return Status::malformed(samplesName + ": no samples (shape needs a first axis of N > 0)");
  if (labels.shape.size() != 1)
    return Status::malformed(labelsName + ": labels must have shape (N,), not " +
                             std::to_string(labels.shape.size()) + " axes");
  if (labels.shape[0] != samples.shape[0])
    return Status::malformed(labelsName + " holds " + std::to_string(labels.shape[0]) +
                             " labels for " + std::to_string(samples.shape[0]) + " samples");
  const bool isSigned = labels.dtype[0] == 'i';
  const size_t width = npyElementBytes(labels.dtype);
  if (labels.dtype.rfind("float", 0) == 0)
    return Status::malformed(labelsName + ": labels of dtype " + labels.dtype +
                             " are not class numbers (use an integer dtype)");
  Dataset d;
  for (size_t i = 1; i < samples.shape.size(); ++i) {
    if (samples.shape[i] == 0 || samples.shape[i] > (1u << 24))
      return Status::malformed(samplesName + ": sample axis " + std::to_string(i) + " has size " +
                               std::to_string(samples.shape[i]));
    d.sampleShape.push_back(static_cast<uint32_t>(samples.shape[i]));
  }
  if (d.sampleShape.empty()) d.sampleShape = {1};  // one number per sample
  for (uint64_t i = 0; i < labels.shape[0]; ++i) {
    const uint8_t* p = labels.data.data() + i * width;
    uint64_t raw = 0;
    for (size_t b = 0; b < width; ++b) raw |= uint64_t{p[b]} << (8 * b);
    const bool negative = isSigned && (raw >> (8 * width - 1)) & 1;
    if (negative || raw > 65535)
      return Status::malformed(labelsName + ": label " + std::to_string(i) +
                               " is not a class number 0..65535");
    d.labels.push_back(static_cast<uint32_t>(raw));
  }
  d.isUint8 = samples.dtype == "uint8";
  if (d.isUint8) {
    d.pixels = samples.data;
  } else {
    d.features.resize(samples.elements());
    for (size_t i = 0; i < d.features.size(); ++i) {
      uint32_t bits = coding::getLe32(samples.data.data() + 4 * i);
      std::memcpy(&d.features[i], &bits, 4);
      if (!std::isfinite(d.features[i]))
        return Status::malformed(samplesName + ": sample value " + std::to_string(i) +
                                 " is not finite");
    }
  }
  return d;
}

Result<NpyArray> readNpyFile(const std::string& path) {
  auto bytes = readFile(path, kMaxArrayBytes);
  if (!bytes) return bytes.status();
  return parseNpy(*bytes, "'" + path + "'");
}

// One member of a zip archive, whole.
Result<Bytes> zipMember(zip_t* archive, const std::string& path, const std::string& member) {
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat(archive, member.c_str(), 0, &st) != 0)
    return Status::malformed("'" + path + "' holds no array '" + member + "'");
  if (!(st.valid & ZIP_STAT_SIZE) || st.size > kMaxArrayBytes)
    return Status::malformed("'" + path + "': array '" + member + "' is too large");
  zip_file_t* f = zip_fopen(archive, member.c_str(), 0);
  if (!f)
    return Status::malformed("'" + path + "': cannot open array '" + member +
                             "': " + zip_strerror(archive));
  // Read as the data comes, never by the size the archive claims: a few
  // bytes of zip can claim gigabytes (found by fuzz_datasets).
  Bytes out;
  uint8_t chunk[1 << 16];
  bool overrun = false;
  zip_int64_t got = 0;
  while ((got = zip_fread(f, chunk, sizeof chunk)) > 0) {
    if (out.size() + static_cast<size_t>(got) > st.size) {
      overrun = true;
      break;
    }
    out.insert(out.end(), chunk, chunk + got);
  }
  zip_fclose(f);
  if (got < 0 || overrun || out.size() != st.size)
    return Status::malformed("'" + path + "': array '" + member + "' is truncated or corrupt");
  return out;
}

}  // namespace

Result<Dataset> loadNpy(const std::string& samplesPath, const std::string& labelsPath) {
  auto samples = readNpyFile(samplesPath);
  if (!samples) return samples.status();
  auto labels = readNpyFile(labelsPath);
  if (!labels) return labels.status();
  return datasetFromArrays(*samples, *labels, "'" + samplesPath + "'", "'" + labelsPath + "'");
}

Result<Dataset> loadNpz(const std::string& path, const std::string& samplesKey,
                        const std::string& labelsKey) {
  int err = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!archive) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    if (err == ZIP_ER_NOENT || err == ZIP_ER_OPEN || err == ZIP_ER_READ)
      return Status::io("cannot open '" + path + "': " + why);
    return Status::malformed("'" + path + "' is not an .npz (zip) file: " + why);
  }
  auto close = [&]() { zip_discard(archive); };
  auto rawSamples = zipMember(archive, path, samplesKey + ".npy");
  auto rawLabels =
      rawSamples ? zipMember(archive, path, labelsKey + ".npy") : Result<Bytes>(Bytes{});
  close();
  if (!rawSamples) return rawSamples.status();
  if (!rawLabels) return rawLabels.status();
  const std::string sName = "'" + path + "' array '" + samplesKey + "'";
  const std::string lName = "'" + path + "' array '" + labelsKey + "'";
  auto samples = parseNpy(*rawSamples, sName);
  if (!samples) return samples.status();
  auto labels = parseNpy(*rawLabels, lName);
  if (!labels) return labels.status();
  return datasetFromArrays(*samples, *labels, sName, lName);
}

void truncateDataset(Dataset& d, size_t n) {
  if (n == 0 || n >= d.size()) return;
  size_t per = 1;
  for (uint32_t s : d.sampleShape) per *= s;
  d.labels.resize(n);
  if (d.isUint8)
    d.pixels.resize(n * per);
  else
    d.features.resize(n * per);
}

Result<Dataset> loadDataset(const DatasetSource& src, const std::string& defaultImages,
                            const std::string& defaultLabels,
                            const std::vector<std::string>* knownClasses) {
  int kinds = (!src.images.empty() || !src.labels.empty()) + !src.csv.empty() +
              !src.npySamples.empty() + !src.npz.empty();
  if (kinds > 1)
    return Status::usage("give one dataset: --images/--labels, --csv, --npy or --npz, not several");
  if (!src.npzKeys.empty() && src.npz.empty()) return Status::usage("--npz-keys goes with --npz");
  if (!src.csv.empty()) return loadCsv(src.csv, src.labelColumn, knownClasses);
  Result<Dataset> data = Status::usage("no dataset");
  if (!src.npySamples.empty()) {
    data = loadNpy(src.npySamples, src.npyLabels);
  } else if (!src.npz.empty()) {
    std::string x = "x", y = "y";
    if (!src.npzKeys.empty()) {
      size_t comma = src.npzKeys.find(',');
      if (comma == std::string::npos || comma == 0 || comma + 1 == src.npzKeys.size() ||
          src.npzKeys.find(',', comma + 1) != std::string::npos)
        return Status::usage("--npz-keys takes SAMPLES,LABELS (two array names), not '" +
                             src.npzKeys + "'");
      x = src.npzKeys.substr(0, comma);
      y = src.npzKeys.substr(comma + 1);
    }
    data = loadNpz(src.npz, x, y);
  } else {
    data = loadIdx(src.images.empty() ? defaultImages : src.images,
                   src.labels.empty() ? defaultLabels : src.labels);
  }
  if (data && knownClasses && !knownClasses->empty())
    return Status::malformed(
        "the model was trained on text labels; its test set must be a CSV with those labels");
  return data;
}

}  // namespace pot
