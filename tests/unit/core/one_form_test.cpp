// One form of "empty" (docs/protocol.md, Encoding): for every List, Data and
// Text field (and list element) reachable in every message kind, the
// zero-length form is refused as non-canonical, also when the message is
// correctly signed, and the writers' encoding turns it into null.
#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "libcommon/core/canonical.h"
#include "libcommon/core/json.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/strict_schema.h"

namespace {

using capnp::schema::Type;

// One step from a struct to a field; `element` = go into element 0 of a list.
struct Step {
  capnp::StructSchema::Field field;
  bool element = false;
};
using Path = std::vector<Step>;

// Every zero-length target: the field at the end of the path, or (when
// `inElement`) element 0 of that List(Data/Text) field.
struct Target {
  Path path;
  bool inElement = false;
  std::string text;  // the path as the decoder names it
};

void collect(capnp::StructSchema s, Path& at, const std::string& text, int depth,
             std::vector<Target>& out) {
  if (depth > 9) return;
  for (auto f : s.getFields()) {
    std::string name = text + "." + f.getProto().getName().cStr();
    at.push_back({f, false});
    if (f.getProto().isGroup()) {
      collect(f.getType().asStruct(), at, name, depth, out);
    } else {
      auto t = f.getType();
      switch (t.which()) {
        case Type::TEXT:
        case Type::DATA:
          out.push_back({at, false, name});
          break;
        case Type::LIST: {
          out.push_back({at, false, name});
          auto e = t.asList().getElementType();
          if (e.which() == Type::TEXT || e.which() == Type::DATA)
            out.push_back({at, true, name + "[0]"});
          if (e.isStruct()) {
            at.back().element = true;
            collect(e.asStruct(), at, name + "[0]", depth + 1, out);
          }
          break;
        }
        case Type::STRUCT:
          collect(t.asStruct(), at, name, depth + 1, out);
          break;
        default:
          break;
      }
    }
    at.pop_back();
  }
}

// Builds the path inside `root` and leaves the target zero-length.
capnp::DynamicStruct::Builder build(capnp::DynamicStruct::Builder root, const Target& t) {
  capnp::DynamicStruct::Builder s = root;
  for (size_t i = 0; i + 1 < t.path.size(); ++i) {
    const Step& step = t.path[i];
    if (step.element)
      s = s.init(step.field, 1).as<capnp::DynamicList>()[0].as<capnp::DynamicStruct>();
    else
      s = s.init(step.field).as<capnp::DynamicStruct>();
  }
  auto f = t.path.back().field;
  const auto which = f.getType().which();
  if (t.inElement) {
    auto list = s.init(f, 1).as<capnp::DynamicList>();
    if (f.getType().asList().getElementType().which() == Type::TEXT)
      list.set(0, capnp::Text::Reader(""));
    else
      list.init(0, 0);
  } else if (which == Type::TEXT) {
    s.set(f, capnp::Text::Reader(""));
  } else {
    s.init(f, 0);
  }
  return s;
}

std::optional<pot::Domain> domainOf(pot::schema::Envelope::Which kind) {
  using W = pot::schema::Envelope::Which;
  switch (kind) {
    case W::TRAINING_REQUEST:
      return pot::Domain::kRequest;
    case W::TRAINING_DECLARATION:
      return pot::Domain::kDeclaration;
    case W::BLOCK_HEADER:
      return pot::Domain::kHeader;
    case W::STAKEHOLDER_SIGNATURE:
      return pot::Domain::kStakeSig;
    case W::BLOCK:
      return pot::Domain::kBlock;
    case W::TRANSACTION:
      return pot::Domain::kTx;
    default:
      return std::nullopt;
  }
}

pot::Bytes frame(const kj::Array<capnp::word>& words) {
  pot::Bytes out(8, 0);
  const uint32_t n = static_cast<uint32_t>(words.size());
  for (int k = 0; k < 4; ++k) out[4 + k] = static_cast<uint8_t>(n >> (8 * k));
  auto raw = words.asBytes();
  out.insert(out.end(), raw.begin(), raw.end());
  return out;
}

std::vector<Target> everyTarget() {
  std::vector<Target> out;
  Path at;
  collect(capnp::Schema::from<pot::schema::Envelope>(), at, "message", 0, out);
  return out;
}

TEST(OneForm, EveryEmptyFieldOfEveryKindIsNullOnly) {
  auto key = pot::SigningKey::generate();
  ASSERT_TRUE(key);
  auto targets = everyTarget();
  std::set<std::string> kinds, seen;
  for (const Target& t : targets) {
    SCOPED_TRACE(t.text);
    seen.insert(t.text);
    capnp::MallocMessageBuilder mb;
    auto env = mb.initRoot<pot::schema::Envelope>();
    auto dyn = capnp::toDynamic(env);
    build(dyn, t);
    kinds.insert(t.path.front().field.getProto().getName().cStr());
    // Correctly signed: the signature verifies over the body a verifier sees.
    auto domain = domainOf(env.which());
    auto member = dyn.get(t.path.front().field).as<capnp::DynamicStruct>();
    const bool signs = domain && t.path.size() > 1 &&
                       std::string(t.path[1].field.getProto().getName().cStr()) == "body";
    if (signs) {
      auto body = member.get("body").as<capnp::DynamicStruct>().asReader();
      pot::Bytes sig = key->sign(pot::signingPayload(*domain, body));
      member.set("signature", capnp::Data::Reader(sig.data(), sig.size()));
      ASSERT_TRUE(pot::verifyBody(key->publicKey(), *domain, body, sig.data(), sig.size()));
    }
    // The zero-length form, laid out canonically but not normalised: refused.
    auto raw = frame(capnp::AnyStruct::Reader(env.asReader()).canonicalize());
    pot::DecodeFailure why = pot::DecodeFailure::kNone;
    auto refused = pot::decodeMessage(raw, {}, &why);
    ASSERT_FALSE(refused) << "a zero-length " << t.text << " was accepted";
    EXPECT_EQ(why, pot::DecodeFailure::kNonCanonical) << refused.status().message();
    EXPECT_EQ(refused.status().code(), pot::ExitCode::kMalformed);
    EXPECT_NE(refused.status().message().find(t.text + " is zero-length"), std::string::npos)
        << refused.status().message();
    // What a writer writes: the same message with the value null, accepted.
    auto written = pot::encodeMessage(env.asReader());
    EXPECT_NE(written, raw);
    auto m = pot::decodeMessage(written);
    ASSERT_TRUE(m) << m.status().message();
    EXPECT_EQ(pot::findNonNullEmpty(capnp::toDynamic((*m)->envelope())), "");
    if (signs) {
      auto member2 =
          capnp::toDynamic((*m)->envelope()).get(t.path.front().field).as<capnp::DynamicStruct>();
      auto sig = member2.get("signature").as<capnp::Data>();
      EXPECT_TRUE(pot::verifyBody(key->publicKey(), *domain,
                                  member2.get("body").as<capnp::DynamicStruct>(), sig.begin(),
                                  sig.size()));
    }
  }
  // Every message kind takes part, and the walk reached deep fields.
  EXPECT_EQ(kinds.size(), 10u);
  EXPECT_GT(targets.size(), 100u);
  for (const char* must :
       {"message.block.body.transactions", "message.blockHeader.body.lossTraceHash",
        "message.modelState.optimizerState", "message.modelState.parameters[0].shape",
        "message.trainingRequest.body.stageBatches[0]",
        "message.block.body.transactions[0].body.registerModel.body.classNames[0]",
        "message.genesis.params.dummyModel.body.profile.blasCoreType"})
    EXPECT_TRUE(seen.count(must)) << must;
}

// The signing payload, and so the id, is the same for both forms: a writer's
// zero-length value cannot make a second id for one body.
TEST(OneForm, SigningPayloadUsesTheNullForm) {
  capnp::MallocMessageBuilder a, b;
  auto ha = a.initRoot<pot::schema::BlockHeader::Body>();
  auto hb = b.initRoot<pot::schema::BlockHeader::Body>();
  ha.setHeight(3);
  hb.setHeight(3);
  ha.initLossTraceHash(0);
  ha.initDeclarations(0);
  ASSERT_TRUE(ha.hasLossTraceHash());
  EXPECT_EQ(pot::messageId(pot::Domain::kHeader, ha.asReader()),
            pot::messageId(pot::Domain::kHeader, hb.asReader()));
  EXPECT_EQ(pot::canonicalBytes(ha.asReader()), pot::canonicalBytes(hb.asReader()));
  EXPECT_NE(pot::findNonNullEmpty(ha.asReader()), "");
  // The builder itself is left as it was.
  EXPECT_TRUE(ha.hasLossTraceHash());
}

// JSON in (pot-inspect --from-json): an empty array, string or base64 value
// becomes null, the one form, like a field left out.
TEST(OneForm, JsonEmptiesBecomeNull) {
  auto withEmpties = pot::envelopeFromJson(
      R"({"block": {"body": {"transactions": [], "wrapper": "",
          "header": {"body": {"lossTraceHash": "", "declarations": []}}}}})");
  ASSERT_TRUE(withEmpties) << withEmpties.status().message();
  auto leftOut = pot::envelopeFromJson(R"({"block": {"body": {"header": {"body": {}}}}})");
  ASSERT_TRUE(leftOut) << leftOut.status().message();
  EXPECT_EQ(*withEmpties, *leftOut);
  auto m = pot::decodeMessage(*withEmpties);
  ASSERT_TRUE(m) << m.status().message();
  auto body = (*m)->envelope().getBlock().getBody();
  EXPECT_FALSE(body.hasTransactions());
  EXPECT_FALSE(body.hasWrapper());
  EXPECT_FALSE(body.getHeader().getBody().hasLossTraceHash());
  auto text = pot::envelopeFromJson(R"({"trainingRequest": {"body": {"description": ""}}})");
  ASSERT_TRUE(text);
  auto t = pot::decodeMessage(*text);
  ASSERT_TRUE(t) << t.status().message();
  EXPECT_FALSE((*t)->envelope().getTrainingRequest().getBody().hasDescription());
}

}  // namespace
