// JSON text out, with escaping: the one way tools and daemons write JSON (STYLE 11).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace pot {

// Builds one JSON value. Compact output is one line with ", " and ": "
// separators (what scripts grep and jq reads); pretty output indents by two.
// Misuse (a value where a key is due, unbalanced ends) is a bug and asserts.
class JsonWriter {
 public:
  enum class Style { kCompact, kPretty };
  explicit JsonWriter(Style style = Style::kCompact) : style_(style) {}

  JsonWriter& beginObject();
  JsonWriter& endObject();
  JsonWriter& beginArray();
  JsonWriter& endArray();
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(bool flag);
  JsonWriter& value(double number);
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  JsonWriter& value(T number) {
    return number < 0 ? signedValue(static_cast<int64_t>(number))
                      : unsignedValue(static_cast<uint64_t>(number));
  }
  JsonWriter& null();
  // A value that is already JSON text (e.g. envelopeToJson's output).
  JsonWriter& raw(std::string_view json);

  // key(name).value(v) in one call.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  // The text written so far; complete once every begin has its end.
  const std::string& str() const { return out_; }
  bool complete() const { return stack_.empty() && wroteTopValue_; }

 private:
  JsonWriter& signedValue(int64_t number);
  JsonWriter& unsignedValue(uint64_t number);
  void beforeValue();
  void newline();
  enum class Frame { kObject, kArray };
  Style style_;
  std::string out_;
  std::vector<Frame> stack_;
  std::vector<bool> empty_;  // per open frame: nothing written in it yet
  bool keyPending_ = false;
  bool wroteTopValue_ = false;
};

// `text` as a quoted JSON string with every needed escape.
std::string jsonQuote(std::string_view text);

}  // namespace pot
