// File I/O with clear error messages and no partial outputs.
#include "libcommon/core/fileio.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace pot {
namespace {

std::string quoted(const std::string& path) { return "'" + path + "'"; }

std::string errnoText() { return std::strerror(errno); }

Status writeAll(int fd, const uint8_t* data, size_t size, const std::string& what) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io("cannot write " + what + ": " + errnoText());
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::ok();
}

}  // namespace

bool isTerminal(int fd) { return ::isatty(fd) == 1; }

Result<Bytes> readFile(const std::string& path, uint64_t maxBytes) {
  bool isStdin = path == "-";
  int fd = isStdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  std::string name = isStdin ? std::string("standard input") : quoted(path);
  if (fd < 0) return Status::io("cannot open " + name + ": " + errnoText());
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (!isStdin) ::close(fd);
    return Status::io("cannot read " + name + ": Is a directory");
  }
  Bytes out;
  if (S_ISREG(st.st_mode)) {
    if (static_cast<uint64_t>(st.st_size) > maxBytes) {
      if (!isStdin) ::close(fd);
      return Status::malformed(name + " is too large (" + std::to_string(st.st_size) +
                               " bytes, limit " + std::to_string(maxBytes) + ")");
    }
    out.reserve(static_cast<size_t>(st.st_size));
  }
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status s = Status::io("cannot read " + name + ": " + errnoText());
      if (!isStdin) ::close(fd);
      return s;
    }
    if (n == 0) break;
    if (out.size() + static_cast<uint64_t>(n) > maxBytes) {
      if (!isStdin) ::close(fd);
      return Status::malformed(name + " is too large (limit " + std::to_string(maxBytes) +
                               " bytes)");
    }
    out.insert(out.end(), buf, buf + n);
  }
  if (!isStdin) ::close(fd);
  return out;
}

Status writeFileAtomic(const std::string& path, const uint8_t* data, size_t size, mode_t mode,
                       bool overwrite) {
  if (!overwrite && ::access(path.c_str(), F_OK) == 0)
    return Status::io("refusing to overwrite " + quoted(path));
  std::string tmpl = path + ".tmp.XXXXXX";
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) return Status::io("cannot create " + quoted(path) + ": " + errnoText());
  std::string tmp(name.data());
  auto fail = [&](Status s) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  };
  if (::fchmod(fd, mode) != 0)
    return fail(Status::io("cannot chmod " + quoted(tmp) + ": " + errnoText()));
  Status s = writeAll(fd, data, size, quoted(path));
  if (!s) return fail(s);
  if (::fsync(fd) != 0) return fail(Status::io("cannot sync " + quoted(path) + ": " + errnoText()));
  if (::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::io("cannot close " + quoted(path) + ": " + errnoText());
  }
  if (!overwrite) {
    // link() fails if the target appeared meanwhile, so a key is never clobbered.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      Status e = Status::io("cannot create " + quoted(path) + ": " + errnoText());
      ::unlink(tmp.c_str());
      return e;
    }
    ::unlink(tmp.c_str());
    return Status::ok();
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status e = Status::io("cannot rename to " + quoted(path) + ": " + errnoText());
    ::unlink(tmp.c_str());
    return e;
  }
  return Status::ok();
}

Status writeOutput(const std::string& path, const uint8_t* data, size_t size, bool binary) {
  if (path != "-") return writeFileAtomic(path, data, size);
  if (binary && isTerminal(STDOUT_FILENO))
    return Status::usage("refusing to write a binary message to a terminal; use -o FILE or a pipe");
  return writeAll(STDOUT_FILENO, data, size, "standard output");
}

}  // namespace pot
