// libtorch exceptions to Status values: the one place that knows c10::Error.
#include "libcommon/train/torch_errors.h"

#include <c10/util/Exception.h>

#include <new>

namespace pot {

std::string firstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

Status torchErrorStatus(const char* what, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const c10::Error& e) {
    return Status::internal(std::string(what) +
                            ": libtorch: " + firstLine(e.what_without_backtrace()));
  } catch (const std::bad_alloc&) {
    return Status::io(std::string(what) + ": out of memory");
  } catch (const std::exception& e) {
    return Status::internal(std::string(what) + ": " + firstLine(e.what()));
  }
}

}  // namespace pot
