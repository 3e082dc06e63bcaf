// Conversions between Hash256 values and Cap'n Proto Data fields.
#pragma once

#include <capnp/blob.h>

#include "libcommon/core/hash.h"

namespace pot {

// A Hash256 as the argument of a Data setter.
inline kj::ArrayPtr<const kj::byte> dataOf(const Hash256& h) {
  return kj::arrayPtr(h.data(), h.size());
}

// A 32-byte Data field as a Hash256; all zeros when it has another size.
// Validators reject wrong sizes first (bad-field-size), so the zero value
// never stands for a real hash.
inline Hash256 hashFrom(capnp::Data::Reader d) {
  auto h = Hash256::fromBytes(d.begin(), d.size());
  return h ? *h : Hash256{};
}

}  // namespace pot
