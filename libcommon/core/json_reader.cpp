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

std::optional<uint64_t> JsonDocument::uint(std::string_view name) const {
  auto n = number(name);
  // 2^53: the largest range in which every integer has an exact double.
  if (!n || *n < 0 || *n > 9007199254740992.0 || std::floor(*n) != *n) return std::nullopt;
  return static_cast<uint64_t>(*n);
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

}  // namespace pot
