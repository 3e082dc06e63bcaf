// ZeroMQ transport shared by pot-repo, pot-gossip and pot-chaind: endpoints,
// size-capped multipart frames, and the ok/error reply convention.
#pragma once

#include <string>
#include <vector>
#include <zmq.hpp>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"

namespace pot::net {

using Frames = std::vector<Bytes>;

// One process-wide ZeroMQ context.
zmq::context_t& context();

// Accepts tcp://HOST:PORT (PORT may be * when binding), ipc://PATH, and for
// connecting ZeroMQ's tcp://SOURCE-IP:PORT;HOST:PORT (connect from a chosen
// local address).
Status checkEndpoint(const std::string& endpoint, bool forBind);

// Binds and returns the resolved endpoint (the real port when PORT is *).
Result<std::string> bind(zmq::socket_t& socket, const std::string& endpoint);

// Caps every incoming message: ZeroMQ drops the connection of a peer that
// sends more than `maxBytes` in one frame before we ever see it.
void setMaxMessageSize(zmq::socket_t& socket, uint64_t maxBytes);

// Receives all frames of one multipart message (blocking unless `dontWait`);
// std::nullopt-like empty result with ok status when nothing is pending.
Result<Frames> receive(zmq::socket_t& socket, bool dontWait = false);
Status send(zmq::socket_t& socket, const Frames& frames);

inline Bytes frame(std::string_view s) { return Bytes(s.begin(), s.end()); }
inline std::string text(const Bytes& b) { return std::string(b.begin(), b.end()); }

// Replies: ["ok", payload...] or ["error", "<exit code>", "<message>"], so a
// client can give its user the server's exit code and one-line reason.
Frames okReply(Frames payload = {});
Frames errorReply(const Status& status);

// One request/reply round trip on a fresh DEALER socket, waiting at most
// `timeoutMs` for the reply. An error reply becomes a Status with the
// server's exit code; silence is an I/O failure (exit code 4).
Result<Frames> request(const std::string& endpoint, const Frames& frames, int timeoutMs,
                       uint64_t maxReplyBytes);

// A reply as a DEALER receives it ([delimiter,] "ok"|"error", ...): the
// payload, or the server's error as a Status with its exit code.
Result<Frames> parseReply(Frames reply, const std::string& endpoint);

// SIGINT/SIGTERM set a flag that server loops poll, so they stop cleanly
// (sockets closed, temp files gone) rather than die mid-write.
void installStopHandler();
bool stopRequested();

// Writes the resolved endpoint to `path` (atomically) once the server is
// listening: scripts and tests wait for this file instead of sleeping.
Status announceEndpoint(const std::string& path, const std::string& endpoint);

}  // namespace pot::net
