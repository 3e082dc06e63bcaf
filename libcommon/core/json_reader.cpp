// JSON text in, through Cap'n Proto's JSON parser (capnp/compat/json.h).
#include "libcommon/core/json_reader.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <kj/exception.h>

#include <charconv>
#include <cmath>

namespace pot {

struct JsonDocument::Impl {
  capnp::MallocMessageBuilder message;
  capnp::JsonValue::Reader root;
};

JsonDocument::JsonDocument(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;
JsonDocument::~JsonDocument() = default;

namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The four hex digits after "\u" at `at`, or -1.
long codeUnitAt(std::string_view s, size_t at) {
  if (at + 6 > s.size() || s[at] != '\\' || s[at + 1] != 'u') return -1;
  long v = 0;
  for (size_t i = at + 2; i < at + 6; ++i) {
    int d = hexDigit(s[i]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

Result<std::string> decodeUnicodeEscapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool inString = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!inString) {
      if (c == '"') inString = true;
      out += c;
      continue;
    }
    if (c == '"') {
      inString = false;
      out += c;
      continue;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i + 1 >= s.size()) return Status::malformed("bad JSON: a string ends in a backslash");
    if (s[i + 1] != 'u') {  // a short escape: the parser reads these right
      out += c;
      out += s[++i];
      continue;
    }
    long unit = codeUnitAt(s, i);
    if (unit < 0) return Status::malformed("bad JSON: \\u needs four hex digits");
    uint32_t cp = static_cast<uint32_t>(unit);
    i += 5;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      long low = codeUnitAt(s, i + 1);
      if (low < 0xDC00 || low > 0xDFFF)
        return Status::malformed("bad JSON: a high surrogate without its low half");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
      i += 6;
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return Status::malformed("bad JSON: a low surrogate without its high half");
    }
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else {
      appendUtf8(out, cp);
    }
  }
  return out;
}

Result<JsonDocument> JsonDocument::parse(std::string_view raw) {
  auto decoded = decodeUnicodeEscapes(raw);
  if (!decoded) return decoded.status();
  const std::string& text = *decoded;
  auto impl = std::make_unique<Impl>();
  try {
    capnp::JsonCodec codec;
    auto root = impl->message.initRoot<capnp::JsonValue>();
    codec.decodeRaw(kj::ArrayPtr<const char>(text.data(), text.size()), root);
    impl->root = root.asReader();
  } catch (const kj::Exception& e) {
    return Status::malformed(std::string("bad JSON: ") + e.getDescription().cStr());
  }
  if (!impl->root.isObject()) return Status::malformed("bad JSON: the top level is not an object");
  return JsonDocument(std::move(impl));
}

namespace {

std::optional<capnp::JsonValue::Reader> member(capnp::JsonValue::Reader object,
                                               std::string_view name) {
  for (auto field : object.getObject())
    if (std::string_view(field.getName().cStr(), field.getName().size()) == name)
      return field.getValue();
  return std::nullopt;
}

}  // namespace

bool JsonDocument::has(std::string_view name) const {
  return member(impl_->root, name).has_value();
}

std::optional<std::string> JsonDocument::string(std::string_view name) const {
  auto v = member(impl_->root, name);
  if (!v || !v->isString()) return std::nullopt;
  return std::string(v->getString().cStr(), v->getString().size());
}

std::optional<double> JsonDocument::number(std::string_view name) const {
  auto v = member(impl_->root, name);
  if (!v || !v->isNumber()) return std::nullopt;
  return v->getNumber();
}

namespace {

// Below 2^53 every integer has its own double; from there on two integers
// can read as one, so the value cannot be trusted.
std::optional<uint64_t> exactUint(double n) {
  if (n < 0 || n >= 9007199254740992.0 || std::floor(n) != n) return std::nullopt;
  return static_cast<uint64_t>(n);
}

}  // namespace

std::optional<uint64_t> JsonDocument::uint(std::string_view name) const {
  auto n = number(name);
  if (!n) return std::nullopt;
  return exactUint(*n);
}

std::optional<std::vector<uint64_t>> JsonDocument::uintArray(std::string_view name) const {
  auto v = member(impl_->root, name);
  if (!v || !v->isArray()) return std::nullopt;
  std::vector<uint64_t> out;
  for (auto e : v->getArray()) {
    if (!e.isNumber()) return std::nullopt;
    auto n = exactUint(e.getNumber());
    if (!n) return std::nullopt;
    out.push_back(*n);
  }
  return out;
}

std::vector<std::string> JsonDocument::keys() const {
  std::vector<std::string> out;
  for (auto field : impl_->root.getObject())
    out.emplace_back(field.getName().cStr(), field.getName().size());
  return out;
}

std::optional<bool> JsonDocument::boolean(std::string_view name) const {
  auto v = member(impl_->root, name);
  if (!v || !v->isBoolean()) return std::nullopt;
  return v->getBoolean();
}

std::optional<std::string> JsonDocument::scalar(std::string_view name) const {
  if (auto s = string(name)) return s;
  if (auto b = boolean(name)) return std::string(*b ? "true" : "false");
  if (auto u = uint(name)) return std::to_string(*u);
  auto n = number(name);
  if (!n) return std::nullopt;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, *n);
  return std::string(buf, r.ptr);
}

std::optional<JsonDocument> JsonDocument::object(std::string_view name) const {
  auto v = member(impl_->root, name);
  if (!v || !v->isObject()) return std::nullopt;
  auto impl = std::make_unique<Impl>();
  impl->message.setRoot(*v);
  impl->root = impl->message.getRoot<capnp::JsonValue>().asReader();
  return JsonDocument(std::move(impl));
}

std::optional<std::vector<std::string>> JsonDocument::stringArray(std::string_view name) const {
  auto v = member(impl_->root, name);
  if (!v || !v->isArray()) return std::nullopt;
  std::vector<std::string> out;
  for (auto e : v->getArray()) {
    if (!e.isString()) return std::nullopt;
    out.emplace_back(e.getString().cStr(), e.getString().size());
  }
  return out;
}

std::optional<std::vector<JsonDocument>> JsonDocument::objectArray(std::string_view name) const {
  auto v = member(impl_->root, name);
  if (!v || !v->isArray()) return std::nullopt;
  std::vector<JsonDocument> out;
  for (auto e : v->getArray()) {
    if (!e.isObject()) return std::nullopt;
    // Each element copied into a message of its own, so it outlives this document.
    auto impl = std::make_unique<Impl>();
    impl->message.setRoot(e);
    impl->root = impl->message.getRoot<capnp::JsonValue>().asReader();
    out.push_back(JsonDocument(std::move(impl)));
  }
  return out;
}

}  // namespace pot
