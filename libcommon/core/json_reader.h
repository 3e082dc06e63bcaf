// JSON text in: one parsed document with typed look-ups, for the few places that read JSON
// (STYLE 11: never by string search).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace pot
