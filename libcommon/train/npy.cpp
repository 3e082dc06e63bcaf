// NumPy's .npy format: magic, version, a Python dict literal as header, raw data.
#include "libcommon/train/npy.h"

#include <cctype>
#include <cstring>
#include <optional>

#include "libcommon/core/coding.h"

namespace pot {
namespace {

// Reads the header dict: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }.
// Only these three keys and these value forms occur in NumPy's writer.
class HeaderParser {
 public:
  explicit HeaderParser(std::string_view text) : s_(text) {}

  std::optional<std::string> error;
  std::string descr;
  std::optional<bool> fortranOrder;
  std::optional<std::vector<uint64_t>> shape;

  void parse() {
    if (!take('{')) return fail("the header is not a dict");
    while (true) {
      skip();
      if (take('}')) break;
      auto key = quoted();
      if (!key) return fail("a header key is not a quoted string");
      if (!take(':')) return fail("no ':' after '" + *key + "'");
      if (*key == "descr") {
        auto v = quoted();
        if (!v) return fail("descr is not a string (structured dtypes are not read)");
        descr = *v;
      } else if (*key == "fortran_order") {
        if (word("True"))
          fortranOrder = true;
        else if (word("False"))
          fortranOrder = false;
        else
          return fail("fortran_order is not True or False");
      } else if (*key == "shape") {
        shape = tuple();
        if (!shape) return fail("shape is not a tuple of integers");
      } else {
        return fail("unknown header key '" + *key + "'");
      }
      skip();
      if (take(',')) continue;
      if (take('}')) break;
      return fail("expected ',' or '}' in the header");
    }
    skip();
    if (pos_ != s_.size()) fail("text after the header dict");
  }

 private:
  void fail(const std::string& why) {
    if (!error) error = why;
  }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool take(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) return ++pos_, true;
    return false;
  }
  bool word(std::string_view w) {
    skip();
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }
  std::optional<std::string> quoted() {
    skip();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) return std::nullopt;
    const char q = s_[pos_++];
    size_t end = s_.find(q, pos_);
    if (end == std::string_view::npos) return std::nullopt;
    std::string out(s_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return out;
  }
  std::optional<std::vector<uint64_t>> tuple() {
    if (!take('(')) return std::nullopt;
    std::vector<uint64_t> dims;
    while (true) {
      skip();
      if (take(')')) return dims;
      size_t start = pos_;
      uint64_t v = 0;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(s_[pos_++] - '0');
      }
      if (pos_ == start) return std::nullopt;
      // NumPy may write a long suffix on old Pythons: (3L, 4L).
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;
      dims.push_back(v);
      if (take(',')) continue;
      if (take(')')) return dims;
      return std::nullopt;
    }
  }
  std::string_view s_;
  size_t pos_ = 0;
};

// NumPy's descr for a little-endian (or byte-sized) element type.
std::string dtypeOfDescr(const std::string& d) {
  if (d.size() < 3) return "";
  const char order = d[0];
  const std::string code = d.substr(1);
  if (order == '>') return "";  // big-endian: refused by the caller with its name
  if (order != '<' && order != '|' && order != '=') return "";
  if (code == "u1") return "uint8";
  if (code == "i1") return "int8";
  if (code == "u2") return "uint16";
  if (code == "i2") return "int16";
  if (code == "u4") return "uint32";
  if (code == "i4") return "int32";
  if (code == "u8") return "uint64";
  if (code == "i8") return "int64";
  if (code == "f4") return "float32";
  if (code == "f8") return "float64";
  return "";
}

}  // namespace

size_t npyElementBytes(const std::string& dtype) {
  if (dtype == "uint8" || dtype == "int8") return 1;
  if (dtype == "uint16" || dtype == "int16") return 2;
  if (dtype == "uint32" || dtype == "int32" || dtype == "float32") return 4;
  if (dtype == "uint64" || dtype == "int64" || dtype == "float64") return 8;
  return 0;
}

uint64_t NpyArray::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

Result<NpyArray> parseNpy(const Bytes& bytes, const std::string& what) {
  auto bad = [&](const std::string& why) { return Status::malformed(what + ": " + why); };
  static const uint8_t kMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    return bad("not a .npy file (no \\x93NUMPY magic)");
  const uint8_t major = bytes[6];
  size_t headerLen = 0, start = 0;
  if (major == 1) {
    headerLen = bytes[8] | size_t{bytes[9]} << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return bad("truncated .npy header length");
    headerLen = coding::getLe32(bytes.data() + 8);
    start = 12;
  } else {
    return bad(".npy format version " + std::to_string(major) + " is not read (1 to 3 are)");
  }
  if (headerLen > bytes.size() - start) return bad("truncated .npy header");
  HeaderParser header(
      std::string_view(reinterpret_cast<const char*>(bytes.data()) + start, headerLen));
  header.parse();
  if (header.error) return bad("bad .npy header: " + *header.error);
  if (header.descr.empty() || !header.fortranOrder || !header.shape)
    return bad("the .npy header lacks descr, fortran_order or shape");
  if (*header.fortranOrder) return bad("Fortran-order arrays are not read (save in C order)");
  NpyArray out;
  out.dtype = dtypeOfDescr(header.descr);
  if (out.dtype.empty())
    return bad("dtype '" + header.descr +
               "' is not supported (little-endian integers, float32 and float64 are)");
  out.shape = *header.shape;
  const size_t width = npyElementBytes(out.dtype);
  uint64_t elements = 1;
  for (uint64_t d : out.shape) {
    if (d != 0 && elements > UINT64_MAX / width / d) return bad("the shape is impossibly large");
    elements *= d;
  }
  const uint64_t have = bytes.size() - start - headerLen;
  if (have != elements * width)
    return bad("holds " + std::to_string(have) + " data bytes, its shape needs " +
               std::to_string(elements * width));
  out.data.assign(bytes.begin() + start + headerLen, bytes.end());
  return out;
}

}  // namespace pot
