// Status and Result: expected failures as values, with the exit code they map to.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace pot {

// Exit codes shared by every tool (DESIGN 7).
enum class ExitCode : int {
  kOk = 0,
  kInvalid = 1,    // a negative answer: the input is well-formed but wrong
  kUsage = 2,      // bad command line
  kMalformed = 3,  // input cannot be decoded
  kIo = 4,         // I/O, store or network failure
  kInternal = 70,  // a bug
};

// A Status costs one enum compare on the success path.
class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status invalid(std::string msg) { return {ExitCode::kInvalid, std::move(msg)}; }
  static Status usage(std::string msg) { return {ExitCode::kUsage, std::move(msg)}; }
  static Status malformed(std::string msg) { return {ExitCode::kMalformed, std::move(msg)}; }
  static Status io(std::string msg) { return {ExitCode::kIo, std::move(msg)}; }
  static Status internal(std::string msg) { return {ExitCode::kInternal, std::move(msg)}; }

  bool isOk() const { return code_ == ExitCode::kOk; }
  explicit operator bool() const { return isOk(); }
  ExitCode code() const { return code_; }
  int exitCode() const { return static_cast<int>(code_); }
  const std::string& message() const { return message_; }

  // Prefixes context, e.g. "cannot read 'x.bin': " + original message.
  Status withContext(const std::string& context) const {
    return isOk() ? *this : Status(code_, context + ": " + message_);
  }

 private:
  Status(ExitCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  ExitCode code_ = ExitCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).isOk()); }  // NOLINT

  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }
  const Status& status() const {
    static const Status kOk;
    return isOk() ? kOk : std::get<Status>(v_);
  }
  T& value() & {
    assert(isOk());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(isOk());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(isOk());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pot

// Propagates a failed Status from the enclosing function.
#define POT_TRY(expr)                                    \
  do {                                                   \
    ::pot::Status pot_try_status_ = (expr);              \
    if (!pot_try_status_.isOk()) return pot_try_status_; \
  } while (0)
