// Walks a message with its schema and checks for bits no field owns (protocol.md, Encoding).
#include "libcommon/core/strict_schema.h"

#include <capnp/any.h>
#include <capnp/dynamic.h>
#include <capnp/schema.h>

#include <vector>

namespace pot {
namespace {

using capnp::schema::Type;

// Width in bits of a field stored in the data section; 0 for pointers/void.
unsigned dataBits(Type::Which t) {
  switch (t) {
    case Type::BOOL:
      return 1;
    case Type::INT8:
    case Type::UINT8:
      return 8;
    case Type::INT16:
    case Type::UINT16:
    case Type::ENUM:
      return 16;
    case Type::INT32:
    case Type::UINT32:
    case Type::FLOAT32:
      return 32;
    case Type::INT64:
    case Type::UINT64:
    case Type::FLOAT64:
      return 64;
    default:
      return 0;
  }
}

bool isPointer(Type::Which t) {
  switch (t) {
    case Type::TEXT:
    case Type::DATA:
    case Type::LIST:
    case Type::STRUCT:
    case Type::INTERFACE:
    case Type::ANY_POINTER:
      return true;
    default:
      return false;
  }
}

// Where a walk is, kept on the stack and spelled out only for an error.
struct PathStep {
  const PathStep* up;
  const char* name;  // a field, or nullptr for a list element
  uint32_t index;
};

std::string pathText(const PathStep* at) {
  std::vector<const PathStep*> steps;
  for (; at; at = at->up) steps.push_back(at);
  std::string out = "message";
  for (auto it = steps.rbegin(); it != steps.rend(); ++it)
    out += (*it)->name ? std::string(".") + (*it)->name : "[" + std::to_string((*it)->index) + "]";
  return out;
}

struct Ownership {
  std::vector<uint8_t> dataMask;  // bit set = owned by a live field
  std::vector<bool> pointerOwned;
};

void markBits(Ownership& own, uint64_t firstBit, unsigned bits) {
  for (uint64_t b = firstBit; b < firstBit + bits; ++b)
    if (b / 8 < own.dataMask.size()) own.dataMask[b / 8] |= static_cast<uint8_t>(1u << (b % 8));
}

void markStruct(Ownership& own, capnp::DynamicStruct::Reader r);

void markField(Ownership& own, capnp::DynamicStruct::Reader r, capnp::StructSchema::Field f) {
  auto proto = f.getProto();
  if (proto.isGroup()) {
    markStruct(own, r.get(f).as<capnp::DynamicStruct>());
    return;
  }
  auto slot = proto.getSlot();
  auto t = slot.getType().which();
  if (isPointer(t)) {
    if (slot.getOffset() < own.pointerOwned.size()) own.pointerOwned[slot.getOffset()] = true;
  } else if (unsigned bits = dataBits(t)) {
    markBits(own, uint64_t(slot.getOffset()) * bits, bits);
  }
}

// Marks what the live fields of `r` (a struct or a group inside it) own.
void markStruct(Ownership& own, capnp::DynamicStruct::Reader r) {
  auto schema = r.getSchema();
  auto node = schema.getProto().getStruct();
  for (auto f : schema.getNonUnionFields()) markField(own, r, f);
  if (node.getDiscriminantCount() > 0) {
    markBits(own, uint64_t(node.getDiscriminantOffset()) * 16, 16);
    KJ_IF_MAYBE (active, r.which()) {
      markField(own, r, *active);
    }
  }
}

std::string check(capnp::DynamicStruct::Reader r, const PathStep* at);

// Lists of structs or of lists are walked; Data and Text elements own no
// bits beyond their bytes, so their lists are not.
std::string checkValue(capnp::DynamicValue::Reader v, const PathStep* at) {
  if (v.getType() == capnp::DynamicValue::STRUCT) return check(v.as<capnp::DynamicStruct>(), at);
  if (v.getType() == capnp::DynamicValue::LIST) {
    auto list = v.as<capnp::DynamicList>();
    const auto element = list.getSchema().whichElementType();
    if (element != Type::STRUCT && element != Type::LIST) return {};
    for (uint32_t i = 0; i < list.size(); ++i) {
      PathStep here{at, nullptr, i};
      auto e = checkValue(list[i], &here);
      if (!e.empty()) return e;
    }
  }
  return {};
}

// The path is spelled out only for an error: a clean message, the common
// case, costs no string work.
std::string check(capnp::DynamicStruct::Reader r, const PathStep* at) {
  auto node = r.getSchema().getProto().getStruct();
  capnp::AnyStruct::Reader any = r.as<capnp::AnyStruct>();
  auto data = any.getDataSection();
  auto pointers = any.getPointerSection();
  if (data.size() > node.getDataWordCount() * 8u || pointers.size() > node.getPointerCount())
    return pathText(at) + " is larger than its schema (unknown fields)";
  Ownership own{std::vector<uint8_t>(data.size(), 0), std::vector<bool>(pointers.size(), false)};
  markStruct(own, r);
  for (size_t i = 0; i < data.size(); ++i)
    if (data[i] & ~own.dataMask[i]) return pathText(at) + " has bits set outside its fields";
  for (uint32_t i = 0; i < pointers.size(); ++i)
    if (!own.pointerOwned[i] && !pointers[i].isNull())
      return pathText(at) + " has a pointer outside its fields";
  // Recurse into live pointer fields (groups share this struct's sections).
  auto visit = [&](capnp::StructSchema::Field f) -> std::string {
    if (!r.has(f)) return {};
    PathStep here{at, f.getProto().getName().cStr(), 0};
    return checkValue(r.get(f), &here);
  };
  for (auto f : r.getSchema().getNonUnionFields()) {
    auto e = visit(f);
    if (!e.empty()) return e;
  }
  KJ_IF_MAYBE (active, r.which()) {
    return visit(*active);
  }
  return {};
}

// ---- one form of empty

// The same walk serves readers (find) and builders (make null).
template <typename Ptr>
bool zeroLength(Ptr p, capnp::Type t) {
  switch (t.which()) {
    case Type::TEXT:
      return p.template getAs<capnp::Text>().size() == 0;
    case Type::DATA:
      return p.template getAs<capnp::Data>().size() == 0;
    case Type::LIST:
      return p.template getAs<capnp::AnyList>().size() == 0;
    default:
      return false;
  }
}

template <typename S, typename Act>
bool walkStruct(S r, const PathStep* at, Act& act);

// `act(pointer, path)` is called on every zero-length List/Data/Text pointer;
// returning true stops the walk.
template <typename Ptr, typename Act>
bool walkPointer(Ptr p, capnp::Type t, const PathStep* at, Act& act) {
  if (p.isNull()) return false;
  switch (t.which()) {
    case Type::TEXT:
    case Type::DATA:
      return zeroLength(p, t) && act(p, at);
    case Type::LIST: {
      if (zeroLength(p, t)) return act(p, at);
      auto element = t.asList().getElementType();
      if (element.isStruct()) {
        auto list = p.template getAs<capnp::DynamicList>(t.asList());
        for (uint32_t i = 0; i < list.size(); ++i) {
          PathStep here{at, nullptr, i};
          if (walkStruct(list[i].template as<capnp::DynamicStruct>(), &here, act)) return true;
        }
      } else if (isPointer(element.which())) {
        auto list =
            p.template getAs<capnp::AnyList>().template as<capnp::List<capnp::AnyPointer>>();
        for (uint32_t i = 0; i < list.size(); ++i) {
          PathStep here{at, nullptr, i};
          if (walkPointer(list[i], element, &here, act)) return true;
        }
      }
      return false;
    }
    case Type::STRUCT:
      return walkStruct(p.template getAs<capnp::DynamicStruct>(t.asStruct()), at, act);
    default:
      return false;
  }
}

template <typename S, typename Act>
bool walkField(S r, capnp::StructSchema::Field f, const PathStep* at, Act& act) {
  auto proto = f.getProto();
  PathStep here{at, proto.getName().cStr(), 0};
  if (proto.isGroup()) return walkStruct(r.get(f).template as<capnp::DynamicStruct>(), &here, act);
  auto t = f.getType();
  if (!isPointer(t.which())) return false;
  auto pointers = r.template as<capnp::AnyStruct>().getPointerSection();
  uint32_t offset = proto.getSlot().getOffset();
  if (offset >= pointers.size()) return false;
  return walkPointer(pointers[offset], t, &here, act);
}

template <typename S, typename Act>
bool walkStruct(S r, const PathStep* at, Act& act) {
  for (auto f : r.getSchema().getNonUnionFields())
    if (walkField(r, f, at, act)) return true;
  KJ_IF_MAYBE (active, r.which()) {
    return walkField(r, *active, at, act);
  }
  return false;
}

}  // namespace

std::string findStrayBits(capnp::DynamicStruct::Reader root) { return check(root, nullptr); }

std::string findNonNullEmpty(capnp::DynamicStruct::Reader root) {
  std::string found;
  auto act = [&](capnp::AnyPointer::Reader, const PathStep* at) {
    found = pathText(at) + " is zero-length; an empty value is encoded as null";
    return true;
  };
  walkStruct(root, nullptr, act);
  return found;
}

void nullEmptyValues(capnp::DynamicStruct::Builder root) {
  auto act = [](capnp::AnyPointer::Builder p, const PathStep*) {
    p.clear();
    return false;
  };
  walkStruct(root, nullptr, act);
}

}  // namespace pot
