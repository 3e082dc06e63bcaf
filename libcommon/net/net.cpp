// ZeroMQ transport helpers (see net.h).
#include "libcommon/net/net.h"

#include <csignal>

#include "libcommon/core/fileio.h"

namespace pot::net {

zmq::context_t& context() {
  static zmq::context_t ctx(1);
  return ctx;
}

Status checkEndpoint(const std::string& endpoint, bool forBind) {
  const std::string quoted = "'" + endpoint + "'";
  if (endpoint.rfind("ipc://", 0) == 0) {
    if (endpoint.size() == 6) return Status::usage("endpoint " + quoted + " has no path");
    return Status::ok();
  }
  if (endpoint.rfind("tcp://", 0) != 0)
    return Status::usage("endpoint " + quoted + " is not tcp://HOST:PORT or ipc://PATH");
  // ZeroMQ's tcp://SOURCE-IP:PORT;HOST:PORT connects from a chosen local
  // address (a multi-homed host; tests act as another peer from 127.0.0.2).
  if (auto semi = endpoint.find(';'); semi != std::string::npos) {
    if (forBind) return Status::usage("a source address is for connecting, not binding: " + quoted);
    if (semi == 6) return Status::usage("endpoint " + quoted + " has an empty source address");
    return checkEndpoint("tcp://" + endpoint.substr(semi + 1), false);
  }
  auto colon = endpoint.rfind(':');
  if (colon <= 6 || colon + 1 >= endpoint.size())
    return Status::usage("endpoint " + quoted + " has no port");
  std::string port = endpoint.substr(colon + 1);
  if (port == "*") {
    if (!forBind) return Status::usage("cannot connect to a wildcard port in " + quoted);
    return Status::ok();
  }
  if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
      std::stoul(port) == 0 || std::stoul(port) > 65535)
    return Status::usage("endpoint " + quoted + " has a bad port");
  return Status::ok();
}

Result<std::string> bind(zmq::socket_t& socket, const std::string& endpoint) {
  POT_TRY(checkEndpoint(endpoint, true));
  try {
    socket.bind(endpoint);
    return socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return Status::io("cannot bind '" + endpoint + "': " + e.what());
  }
}

void setMaxMessageSize(zmq::socket_t& socket, uint64_t maxBytes) {
  socket.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(maxBytes));
}

Result<Frames> receive(zmq::socket_t& socket, bool dontWait) {
  Frames frames;
  try {
    for (;;) {
      zmq::message_t msg;
      auto got = socket.recv(
          msg, dontWait && frames.empty() ? zmq::recv_flags::dontwait : zmq::recv_flags::none);
      if (!got) return frames;  // nothing pending
      auto p = static_cast<const uint8_t*>(msg.data());
      frames.emplace_back(p, p + msg.size());
      if (!msg.more()) return frames;
    }
  } catch (const zmq::error_t& e) {
    return Status::io(std::string("cannot receive: ") + e.what());
  }
}

Status send(zmq::socket_t& socket, const Frames& frames) {
  try {
    for (size_t i = 0; i < frames.size(); ++i) {
      auto flags = i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      // dontwait: a slow or dead peer must never block the sender's loop.
      flags = flags | zmq::send_flags::dontwait;
      if (!socket.send(zmq::buffer(frames[i].data(), frames[i].size()), flags))
        return Status::io("cannot send: peer is not ready");
    }
    return Status::ok();
  } catch (const zmq::error_t& e) {
    return Status::io(std::string("cannot send: ") + e.what());
  }
}

Frames okReply(Frames payload) {
  Frames f{frame("ok")};
  for (auto& p : payload) f.push_back(std::move(p));
  return f;
}

Frames errorReply(const Status& status) {
  return {frame("error"), frame(std::to_string(status.exitCode())), frame(status.message())};
}

Result<Frames> request(const std::string& endpoint, const Frames& frames, int timeoutMs,
                       uint64_t maxReplyBytes) {
  POT_TRY(checkEndpoint(endpoint, false));
  try {
    zmq::socket_t sock(context(), zmq::socket_type::dealer);
    sock.set(zmq::sockopt::linger, 0);
    setMaxMessageSize(sock, maxReplyBytes);
    sock.connect(endpoint);
    // A DEALER talking to a ROUTER: an empty delimiter frame mimics REQ so
    // servers can treat every client alike.
    Frames out{Bytes{}};
    out.insert(out.end(), frames.begin(), frames.end());
    // The send may wait for the connection; bounded by the same timeout.
    sock.set(zmq::sockopt::sndtimeo, timeoutMs);
    for (size_t i = 0; i < out.size(); ++i) {
      auto flags = i + 1 < out.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      if (!sock.send(zmq::buffer(out[i].data(), out[i].size()), flags))
        return Status::io("cannot reach '" + endpoint + "': timed out");
    }
    zmq::pollitem_t item{static_cast<void*>(sock), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(timeoutMs)) == 0)
      return Status::io("no reply from '" + endpoint + "' within " + std::to_string(timeoutMs) +
                        " ms");
    auto reply = receive(sock);
    if (!reply) return reply.status();
    return parseReply(std::move(*reply), endpoint);
  } catch (const zmq::error_t& e) {
    return Status::io("cannot talk to '" + endpoint + "': " + e.what());
  }
}

Result<Frames> parseReply(Frames r, const std::string& endpoint) {
  if (!r.empty() && r.front().empty()) r.erase(r.begin());
  if (r.empty()) return Status::io("empty reply from '" + endpoint + "'");
  if (text(r[0]) == "ok") {
    r.erase(r.begin());
    return r;
  }
  if (text(r[0]) == "error" && r.size() == 3) {
    std::string code = text(r[1]), msg = text(r[2]);
    if (code == "1") return Status::invalid(msg);
    if (code == "2") return Status::usage(msg);
    if (code == "3") return Status::malformed(msg);
    if (code == "4") return Status::io(msg);
    return Status::internal(msg);
  }
  return Status::io("malformed reply from '" + endpoint + "'");
}

namespace {
volatile std::sig_atomic_t gStop = 0;
void onStop(int) { gStop = 1; }
}  // namespace

void installStopHandler() {
  struct sigaction sa {};
  sa.sa_handler = onStop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

bool stopRequested() { return gStop != 0; }

Status announceEndpoint(const std::string& path, const std::string& endpoint) {
  if (path.empty()) return Status::ok();
  std::string line = endpoint + "\n";
  return writeFileAtomic(path, reinterpret_cast<const uint8_t*>(line.data()), line.size());
}

}  // namespace pot::net
