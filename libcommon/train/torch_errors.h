// libtorch exceptions to Status values at the training library's boundary (STYLE 4).
#pragma once

#include <exception>
#include <string>

#include "libcommon/core/status.h"

namespace pot {

// libtorch messages span lines (backtraces, TorchScript source); errors are
// one line, at most 300 characters.
std::string firstLine(const std::string& text);

// The Status for a libtorch or standard exception: out of memory is I/O (4),
// anything else internal (70).
Status torchErrorStatus(const char* what, std::exception_ptr error);

// Runs `f`, turning every libtorch exception into a failed Status or Result
// so none leaves the training library. kj exceptions are not std ones: they
// still reach the tool boundary, as before.
template <typename F>
auto guardTorch(const char* what, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception&) {
    return torchErrorStatus(what, std::current_exception());
  }
}

}  // namespace pot
