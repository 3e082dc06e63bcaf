// JSON text in: one parsed document with typed look-ups, for the few places that read JSON
// (STYLE 11: never by string search).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcommon/core/status.h"

namespace pot {

// A parsed JSON document (Cap'n Proto's JSON parser underneath). Look-ups
// by member name on the top-level object return nullopt when the member is
// missing or of another type. Numbers are doubles in JSON: an integer above
// 2^53 cannot be read exactly and is refused rather than rounded.
class JsonDocument {
 public:
  // Malformed text or a top level that is not an object: Status::malformed.
  static Result<JsonDocument> parse(std::string_view text);
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;
  ~JsonDocument();

  bool has(std::string_view name) const;
  std::optional<std::string> string(std::string_view name) const;
  std::optional<uint64_t> uint(std::string_view name) const;
  std::optional<double> number(std::string_view name) const;
  std::optional<bool> boolean(std::string_view name) const;
  // An array of unsigned integers (each as uint() reads it); nullopt if any is not one.
  std::optional<std::vector<uint64_t>> uintArray(std::string_view name) const;
  // An array of strings; nullopt if any element is not one.
  std::optional<std::vector<std::string>> stringArray(std::string_view name) const;
  // An array of objects, each as its own document; nullopt if any is not one.
  std::optional<std::vector<JsonDocument>> objectArray(std::string_view name) const;
  // The member names of the top-level object, in document order.
  std::vector<std::string> keys() const;
  // A string, number or boolean member as plain text, what a script reads:
  // a string unquoted, a number in its shortest exact form ("42", "0.8125"),
  // "true" or "false". nullopt for a missing member, null, array or object.
  std::optional<std::string> scalar(std::string_view name) const;
  // A member that is itself an object, as its own document.
  std::optional<JsonDocument> object(std::string_view name) const;

 private:
  struct Impl;
  explicit JsonDocument(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// JSON text with every \uXXXX escape in its strings replaced by the UTF-8 it
// stands for (surrogate pairs joined; a quote or backslash stays escaped).
// Cap'n Proto 0.9's parser decodes these escapes wrongly (hex letters miscounted,
// one byte where UTF-8 needs several), so every JSON read here passes through
// this first. A lone surrogate or a bad escape is malformed.
Result<std::string> decodeUnicodeEscapes(std::string_view json);

}  // namespace pot
