// JSON text out, with escaping (RFC 8259 section 7).
#include "libcommon/core/json_writer.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace pot {

std::string jsonQuote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

void JsonWriter::newline() {
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

void JsonWriter::beforeValue() {
  if (stack_.empty()) {
    assert(!wroteTopValue_ && "one top-level JSON value");
    wroteTopValue_ = true;
    return;
  }
  if (stack_.back() == Frame::kObject) {
    assert(keyPending_ && "an object member needs a key first");
    keyPending_ = false;
    return;
  }
  if (!empty_.back()) out_ += style_ == Style::kPretty ? "," : ", ";
  if (style_ == Style::kPretty) newline();
  empty_.back() = false;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  assert(!stack_.empty() && stack_.back() == Frame::kObject && !keyPending_);
  if (!empty_.back()) out_ += style_ == Style::kPretty ? "," : ", ";
  if (style_ == Style::kPretty) newline();
  empty_.back() = false;
  out_ += jsonQuote(name);
  out_ += ": ";
  keyPending_ = true;
  return *this;
}

JsonWriter& JsonWriter::beginObject() {
  beforeValue();
  out_ += '{';
  stack_.push_back(Frame::kObject);
  empty_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::beginArray() {
  beforeValue();
  out_ += '[';
  stack_.push_back(Frame::kArray);
  empty_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::endObject() {
  assert(!stack_.empty() && stack_.back() == Frame::kObject && !keyPending_);
  const bool wasEmpty = empty_.back();
  stack_.pop_back();
  empty_.pop_back();
  if (style_ == Style::kPretty && !wasEmpty) newline();
  out_ += '}';
  return *this;
}

JsonWriter& JsonWriter::endArray() {
  assert(!stack_.empty() && stack_.back() == Frame::kArray);
  const bool wasEmpty = empty_.back();
  stack_.pop_back();
  empty_.pop_back();
  if (style_ == Style::kPretty && !wasEmpty) newline();
  out_ += ']';
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  beforeValue();
  out_ += jsonQuote(text);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  beforeValue();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  beforeValue();
  // JSON has no NaN or infinity; null says "no number" honestly.
  if (!std::isfinite(number)) {
    out_ += "null";
    return *this;
  }
  // The shortest text that reads back as the same double.
  char buf[32];
  auto end = std::to_chars(buf, buf + sizeof buf, number).ptr;
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::signedValue(int64_t number) {
  beforeValue();
  out_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::unsignedValue(uint64_t number) {
  beforeValue();
  out_ += std::to_string(number);
  return *this;
}

JsonWriter& JsonWriter::null() {
  beforeValue();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  beforeValue();
  out_ += json;
  return *this;
}

}  // namespace pot
