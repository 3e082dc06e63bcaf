// JSON text in, through Cap'n Proto's JSON parser (capnp/compat/json.h).
#include "libcommon/core/json_reader.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>
#include <kj/exception.h>

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

Result<JsonDocument> JsonDocument::parse(std::string_view text) {
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

std::optional<JsonDocument> JsonDocument::object(std::string_view name) const {
  auto v = member(impl_->root, name);
  if (!v || !v->isObject()) return std::nullopt;
  auto impl = std::make_unique<Impl>();
  impl->message.setRoot(*v);
  impl->root = impl->message.getRoot<capnp::JsonValue>().asReader();
  return JsonDocument(std::move(impl));
}

}  // namespace pot
