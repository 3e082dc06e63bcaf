// Schema-strict form: no bits or pointers outside the fields the schema knows.
#pragma once

#include <capnp/dynamic.h>

#include <string>

namespace pot {

// capnp::canonicalize keeps data-section padding and unknown fields as they
// are, so two byte-different files could carry the same content and get two
// file hashes. A PoT message must also be schema-strict: every data bit not
// owned by a known field (or the active union member) is zero, every pointer
// slot not owned by one is null, and no struct is larger than its schema.
// Returns an empty string when strict, else where the first stray bits are.
std::string findStrayBits(capnp::DynamicStruct::Reader root);

}  // namespace pot
