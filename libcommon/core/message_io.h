// PoT message files and streams: framed canonical Envelopes, read with limits.
#pragma once

#include <capnp/message.h>

#include <memory>
#include <optional>
#include <string>

#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"
#include "schemas/pot.capnp.h"

namespace pot {

// Limits for untrusted input (DESIGN 3): nothing larger is even decoded.
struct ReadLimits {
  uint64_t maxBytes = 1ull << 30;
  int nestingLimit = 16;
};

// Why bytes did not decode: not a message at all (bad frame, bad pointers,
// over a limit), or a decodable message in another byte form than the one
// canonical form (docs/protocol.md, "Encoding"). Callers that report a
// reason code take it from here, never from the message text.
enum class DecodeFailure { kNone, kMalformed, kNonCanonical };

// One decoded message that owns its bytes. Its file bytes are canonical, so
// fileHash() is the content address of states, batches and genesis files.
class Message {
 public:
  schema::Envelope::Reader envelope() const;
  schema::Envelope::Which kind() const { return envelope().which(); }
  const Bytes& bytes() const { return bytes_; }
  Hash256 fileHash() const { return sha256(bytes_); }

 private:
  friend Result<std::unique_ptr<Message>> decodeMessage(Bytes, const ReadLimits&, DecodeFailure*);
  friend Result<std::unique_ptr<Message>> openStoredMessage(Bytes);
  Message() = default;
  // Checks the frame and sets the reader up over a copy of its words; the rest of the checks
  // are the caller's.
  static Result<std::unique_ptr<Message>> framed(Bytes bytes, const ReadLimits& limits);
  Bytes bytes_;
  kj::Array<capnp::word> words_;
  // The reader keeps a pointer to this segment table, so it lives here.
  kj::ArrayPtr<const capnp::word> segments_[1];
  std::unique_ptr<capnp::MessageReader> reader_;
};
using MessagePtr = std::unique_ptr<Message>;

// Decodes exactly one framed message; refuses trailing bytes, multi-segment
// framing and non-canonical encodings (exit code 3), saying which in
// `failure` when given.
Result<MessagePtr> decodeMessage(Bytes bytes, const ReadLimits& limits = {},
                                 DecodeFailure* failure = nullptr);

// Opens a message that passed decodeMessage when this process's store accepted it (a block
// of the chain store): only its frame is checked again. The canonical checks cost more than
// the rest of reading a block, and a walk of the chain reads every block; capnp's bounds
// checks still guard every read, with a traversal budget bounded by the message's size.
Result<MessagePtr> openStoredMessage(Bytes bytes);

// Reads one message file ("-" for stdin).
Result<MessagePtr> readMessage(const std::string& path, const ReadLimits& limits = {});

// Reads one message and insists on its kind: "expected a block, got a ...".
Result<MessagePtr> readMessage(const std::string& path, schema::Envelope::Which kind,
                               const ReadLimits& limits = {});

// A human name for a message kind ("training declaration").
std::string kindName(schema::Envelope::Which kind);
// The inverse for command lines: "training-declaration" or "training declaration".
std::optional<schema::Envelope::Which> kindFromName(const std::string& name);
Status expectKind(const Message& message, schema::Envelope::Which kind, const std::string& source);

// The framed canonical bytes of an envelope: what files and the wire carry.
Bytes encodeMessage(schema::Envelope::Reader envelope);
Status writeMessage(const std::string& path, schema::Envelope::Reader envelope);

// Reads a stream of concatenated framed messages (e.g. stdin of pot-inspect).
class MessageStream {
 public:
  explicit MessageStream(int fd, ReadLimits limits = {}) : fd_(fd), limits_(limits) {}
  // std::nullopt at a clean end of stream; a Status on a bad message.
  Result<std::optional<MessagePtr>> next();

 private:
  int fd_;
  ReadLimits limits_;
};

}  // namespace pot
