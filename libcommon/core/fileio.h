// Whole-file reads with a size cap, atomic writes, and stdin/stdout as "-".
#pragma once

#include <sys/types.h>

#include <string>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot {

// Reads a regular file (or stdin for "-"); refuses more than maxBytes.
// Errors name the path: "cannot open 'x.bin': No such file or directory".
Result<Bytes> readFile(const std::string& path, uint64_t maxBytes);

// Writes to a temporary file beside `path`, fsyncs, and renames it into
// place, so a reader never sees a partial file (DESIGN 7).
Status writeFileAtomic(const std::string& path, const uint8_t* data, size_t size,
                       mode_t mode = 0644, bool overwrite = true);
inline Status writeFileAtomic(const std::string& path, const Bytes& data, mode_t mode = 0644) {
  return writeFileAtomic(path, data.data(), data.size(), mode, true);
}

// Writes tool output to `path`, or stdout for "-". A binary message is never
// written to a terminal.
Status writeOutput(const std::string& path, const uint8_t* data, size_t size, bool binary);
inline Status writeOutput(const std::string& path, const Bytes& data, bool binary) {
  return writeOutput(path, data.data(), data.size(), binary);
}
inline Status writeOutput(const std::string& path, const std::string& text) {
  return writeOutput(path, reinterpret_cast<const uint8_t*>(text.data()), text.size(), false);
}

bool isTerminal(int fd);

}  // namespace pot
