// The safetensors file format: write and strictly read (DESIGN 4.7).
#include "libcommon/train/safetensors.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>

#include "libcommon/core/coding.h"
#include "libcommon/core/json_reader.h"
#include "libcommon/core/json_writer.h"

namespace pot {
namespace {

// The format caps its header so a reader never allocates on a lie.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

}  // namespace

size_t safetensorsElementBytes(const std::string& dtype) {
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "U8") return 1;
  return 0;
}

Bytes writeSafetensors(const SafetensorsFile& file) {
  JsonWriter header;
  header.beginObject();
  if (!file.metadata.empty()) {
    header.key("__metadata__").beginObject();
    for (const auto& [k, v] : file.metadata) header.field(k, v);
    header.endObject();
  }
  uint64_t offset = 0;
  for (const auto& t : file.tensors) {
    header.key(t.name).beginObject().field("dtype", t.dtype).key("shape").beginArray();
    for (uint64_t d : t.shape) header.value(d);
    header.endArray().key("data_offsets").beginArray().value(offset);
    offset += t.data.size();
    header.value(offset).endArray().endObject();
  }
  header.endObject();
  std::string text = header.str();
  text.append((8 - text.size() % 8) % 8, ' ');
  Bytes out(8 + text.size());
  coding::putLe64(out.data(), text.size());
  std::memcpy(out.data() + 8, text.data(), text.size());
  for (const auto& t : file.tensors) out.insert(out.end(), t.data.begin(), t.data.end());
  return out;
}

Result<SafetensorsFile> readSafetensors(const Bytes& bytes) {
  if (bytes.size() < 8) return Status::malformed("truncated safetensors file: no header length");
  const uint64_t headerBytes = coding::getLe64(bytes.data());
  if (headerBytes > kMaxHeaderBytes)
    return Status::malformed("safetensors header of " + std::to_string(headerBytes) +
                             " bytes is over the format's 100 MB cap");
  if (headerBytes > bytes.size() - 8)
    return Status::malformed("truncated safetensors header: it claims " +
                             std::to_string(headerBytes) + " bytes, the file has " +
                             std::to_string(bytes.size() - 8) + " after the length");
  std::string_view text(reinterpret_cast<const char*>(bytes.data()) + 8, headerBytes);
  auto doc = JsonDocument::parse(text);
  if (!doc) return doc.status().withContext("safetensors header");
  const uint64_t dataBytes = bytes.size() - 8 - headerBytes;
  const uint8_t* data = bytes.data() + 8 + headerBytes;

  SafetensorsFile out;
  struct Span {
    uint64_t begin, end;
    size_t index;
  };
  std::vector<Span> spans;
  std::set<std::string> seen;
  for (const auto& name : doc->keys()) {
    if (!seen.insert(name).second)
      return Status::malformed("safetensors header names '" + name + "' twice");
    auto entry = doc->object(name);
    if (!entry)
      return Status::malformed("safetensors header entry '" + name + "' is not an object");
    if (name == "__metadata__") {
      for (const auto& k : entry->keys()) {
        auto v = entry->string(k);
        if (!v) return Status::malformed("safetensors metadata '" + k + "' is not a string");
        out.metadata[k] = *v;
      }
      continue;
    }
    SafeTensor t;
    t.name = name;
    auto dtype = entry->string("dtype");
    auto shape = entry->uintArray("shape");
    auto offsets = entry->uintArray("data_offsets");
    if (!dtype || !shape || !offsets || offsets->size() != 2)
      return Status::malformed("safetensors tensor '" + name +
                               "' needs dtype, shape and two data_offsets");
    const size_t width = safetensorsElementBytes(*dtype);
    if (width == 0)
      return Status::malformed("safetensors tensor '" + name + "' has dtype '" + *dtype +
                               "' (this reader takes F32, F64, I64, I32, U8)");
    uint64_t elements = 1;
    for (uint64_t d : *shape) {
      if (d != 0 && elements > UINT64_MAX / width / d)
        return Status::malformed("safetensors tensor '" + name + "' has an impossible shape");
      elements *= d;
    }
    const uint64_t begin = (*offsets)[0], end = (*offsets)[1];
    if (begin > end || end > dataBytes)
      return Status::malformed("safetensors tensor '" + name + "' has offsets outside the data");
    if (end - begin != elements * width)
      return Status::malformed("safetensors tensor '" + name + "' holds " +
                               std::to_string(end - begin) + " bytes for its shape's " +
                               std::to_string(elements * width));
    t.dtype = *dtype;
    t.shape = *shape;
    t.data.assign(data + begin, data + end);
    spans.push_back({begin, end, out.tensors.size()});
    out.tensors.push_back(std::move(t));
  }
  // The data is the tensors back to back: no overlap, no hole, nothing after.
  // Ties (an empty tensor where another begins) fall to the end offset, then
  // to header order, so the verdict and the order never depend on the sort.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return std::tie(a.begin, a.end, a.index) < std::tie(b.begin, b.end, b.index);
  });
  uint64_t at = 0;
  for (const auto& s : spans) {
    if (s.begin != at)
      return Status::malformed("safetensors data has " +
                               std::string(s.begin < at ? "overlapping tensors" : "a hole") +
                               " at byte " + std::to_string(std::min(s.begin, at)));
    at = s.end;
  }
  if (at != dataBytes)
    return Status::malformed("safetensors data has " + std::to_string(dataBytes - at) +
                             " bytes after its last tensor");
  std::vector<SafeTensor> ordered;
  for (const auto& s : spans) ordered.push_back(std::move(out.tensors[s.index]));
  out.tensors = std::move(ordered);
  return out;
}

}  // namespace pot
