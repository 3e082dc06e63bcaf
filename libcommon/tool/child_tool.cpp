// A child tool run with its stdout and stderr captured through pipes.
#include "libcommon/tool/child_tool.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace pot {

std::string siblingTool(const std::string& name) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto sibling = self.parent_path() / name;
    if (::access(sibling.c_str(), X_OK) == 0) return sibling.string();
  }
  return name;
}

Result<ToolRun> runTool(const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    return Status::internal(std::string("pipe: ") + strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return Status::internal(std::string("pipe: ") + strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    return Status::internal("cannot run " + argv[0] + ": " + strerror(rc));
  }
  std::string text[2];
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < 2; ++k) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0) {
        text[k].append(buf, static_cast<size_t>(n));
        continue;
      }
      ::close(fds[k].fd);
      fds[k].fd = -1;
      --open;
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status))
    return Status::internal(argv[0] + " died of signal " + std::to_string(WTERMSIG(status)));
  return ToolRun{WEXITSTATUS(status), std::move(text[0]), std::move(text[1])};
}

Status ToolRun::failure() const {
  std::string message = err;
  while (!message.empty() && message.back() == '\n') message.pop_back();
  const size_t last = message.rfind('\n');
  if (last != std::string::npos) message = message.substr(last + 1);
  for (const char* label : {": error: ", ": invalid: "}) {
    const size_t at = message.find(label);
    if (at != std::string::npos) {
      message = message.substr(at + std::strlen(label));
      break;
    }
  }
  if (message.empty()) message = "the child tool failed with exit code " + std::to_string(exitCode);
  switch (exitCode) {
    case 0:
      return Status::ok();
    case 1:
      return Status::invalid(message);
    case 2:
      return Status::usage(message);
    case 3:
      return Status::malformed(message);
    case 4:
      return Status::io(message);
    default:
      return Status::internal(message);
  }
}

}  // namespace pot
