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

// One form of "empty" (docs/protocol.md, Encoding): a List, Data or Text
// value with nothing in it is a null pointer, never a zero-length value, in
// fields and in list elements alike. Both forms read back as empty, so
// accepting both would give one message two byte forms and two ids. Null is
// the form a writer that leaves a field out produces (Cap'n Proto's JSON
// codec does). Returns an empty string when every empty value is null, else
// the path of the first zero-length one.
std::string findNonNullEmpty(capnp::DynamicStruct::Reader root);

// Makes every zero-length List, Data and Text value under `root` null: the
// writers' side of the rule above (canonicalBytes applies it, so everything
// that is signed, hashed or written is in the one form). The zeroed objects
// stay in the segment until canonicalize() drops them.
void nullEmptyValues(capnp::DynamicStruct::Builder root);

}  // namespace pot
