// JSON rendering with hex for Data, summarised when long.
#include "libcommon/core/json.h"

#include <capnp/compat/json.h>
#include <capnp/message.h>

#include "libcommon/core/hash.h"
#include "libcommon/core/json_reader.h"
#include "libcommon/core/message_io.h"

namespace pot {
namespace {

class HexDataHandler final : public capnp::JsonCodec::Handler<capnp::Data> {
 public:
  explicit HexDataHandler(size_t maxBytes) : maxBytes_(maxBytes) {}

  void encode(const capnp::JsonCodec&, capnp::Data::Reader input,
              capnp::JsonValue::Builder output) const override {
    std::string text;
    if (input.size() <= maxBytes_) {
      text = toHex(input.begin(), input.size());
    } else {
      text = "<" + std::to_string(input.size()) + " bytes, sha256 " +
             sha256(input.begin(), input.size()).hex() + ">";
    }
    output.setString(text.c_str());
  }

  capnp::Orphan<capnp::Data> decode(const capnp::JsonCodec&, capnp::JsonValue::Reader input,
                                    capnp::Orphanage orphanage) const override {
    KJ_REQUIRE(input.isString(), "Data field must be a hex string");
    auto raw = fromHex(input.getString().cStr());
    KJ_REQUIRE(raw.has_value(), "Data field is not whole hex (summarised data cannot be encoded)");
    auto orphan = orphanage.newOrphan<capnp::Data>(raw->size());
    std::copy(raw->begin(), raw->end(), orphan.get().begin());
    return orphan;
  }

 private:
  size_t maxBytes_;
};

}  // namespace

std::string envelopeToJson(schema::Envelope::Reader envelope, const JsonOptions& options) {
  capnp::JsonCodec codec;
  codec.setPrettyPrint(options.pretty);
  HexDataHandler hex(options.maxDataBytes);
  codec.addTypeHandler(hex);
  // Long lists (labels, loss traces) could be summarised too; they are
  // numbers, so they stay readable and are kept whole.
  return codec.encode(envelope).cStr();
}

Result<Bytes> envelopeFromJson(const std::string& raw) {
  auto decoded = decodeUnicodeEscapes(raw);
  if (!decoded) return decoded.status().withContext("cannot decode JSON");
  const std::string& json = *decoded;
  capnp::JsonCodec codec;
  HexDataHandler hex(SIZE_MAX);
  codec.addTypeHandler(hex);
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<schema::Envelope>();
  try {
    codec.decode(kj::StringPtr(json.c_str()), root);
  } catch (const kj::Exception& e) {
    return Status::malformed("cannot decode JSON: " + std::string(e.getDescription().cStr()));
  }
  return encodeMessage(root.asReader());
}

}  // namespace pot
