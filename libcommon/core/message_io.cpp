// Framed canonical Envelope files: decode with limits, encode canonically.
#include "libcommon/core/message_io.h"

#include <capnp/any.h>
#include <capnp/serialize.h>
#include <kj/exception.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "libcommon/core/canonical.h"
#include "libcommon/core/coding.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/strict_schema.h"

namespace pot {
namespace {

// Frame: segment count - 1 (must be 0) and segment size in words, both LE.
constexpr size_t kFrameBytes = 8;

}  // namespace

schema::Envelope::Reader Message::envelope() const { return reader_->getRoot<schema::Envelope>(); }

Result<MessagePtr> Message::framed(Bytes bytes, const ReadLimits& limits) {
  if (bytes.size() < kFrameBytes) return Status::malformed("truncated message frame");
  if (coding::getLe32(bytes.data()) != 0)
    return Status::malformed("not a PoT message: expected a single-segment frame");
  uint64_t words = coding::getLe32(bytes.data() + 4);
  uint64_t expected = kFrameBytes + words * 8;
  if (bytes.size() < expected) return Status::malformed("truncated message");
  if (bytes.size() > expected) return Status::malformed("trailing bytes after message");
  if (words == 0) return Status::malformed("empty message");
  MessagePtr m(new Message());
  m->words_ = kj::heapArray<capnp::word>(words);
  std::memcpy(m->words_.begin(), bytes.data() + kFrameBytes, words * 8);
  m->bytes_ = std::move(bytes);
  capnp::ReaderOptions options;
  // Until a canonical check passes, pointers may alias: bound the traversal.
  options.traversalLimitInWords = words * 8 + 1024;
  options.nestingLimit = limits.nestingLimit;
  m->segments_[0] = m->words_.asPtr();
  m->reader_ =
      std::make_unique<capnp::SegmentArrayMessageReader>(kj::arrayPtr(m->segments_, 1), options);
  return m;
}

Result<MessagePtr> openStoredMessage(Bytes bytes) { return Message::framed(std::move(bytes), {}); }

Result<MessagePtr> decodeMessage(Bytes bytes, const ReadLimits& limits, DecodeFailure* failure) {
  DecodeFailure ignored;
  DecodeFailure& why = failure ? *failure : ignored;
  why = DecodeFailure::kMalformed;
  auto nonCanonical = [&](const std::string& message) {
    why = DecodeFailure::kNonCanonical;
    return Status::malformed(message);
  };
  if (bytes.empty()) return Status::malformed("empty input, expected a PoT message");
  if (bytes.size() > limits.maxBytes) return Status::malformed("message exceeds size limit");
  auto framed = Message::framed(std::move(bytes), limits);
  if (!framed) return framed.status();
  MessagePtr m = std::move(*framed);
  const size_t words = m->words_.size();
  capnp::ReaderOptions options;
  options.nestingLimit = limits.nestingLimit;
  auto* reader = static_cast<capnp::SegmentArrayMessageReader*>(m->reader_.get());
  // kj reports malformed pointers by exception; keep it inside this boundary.
  try {
    if (!reader->isCanonical()) return nonCanonical("non-canonical encoding");
    // Canonical layout rules out aliasing, so every pass costs at most the
    // message size; the traversal budget is cumulative per reader, and a
    // block is read many times over (validation, ledger, stores).
    options.traversalLimitInWords = UINT64_MAX;
    reader = new capnp::SegmentArrayMessageReader(kj::arrayPtr(m->segments_, 1), options);
    m->reader_.reset(reader);
    auto stray = findStrayBits(reader->getRoot<schema::Envelope>());
    if (!stray.empty()) return nonCanonical("non-canonical encoding: " + stray);
    auto empty = findNonNullEmpty(reader->getRoot<schema::Envelope>());
    if (!empty.empty()) return nonCanonical("non-canonical encoding: " + empty);
    // isCanonical() checks layout, not every bit: a field readers ignore
    // (e.g. the top bits of an inline-composite list's element count) can
    // vary, and the message would keep its id, so anyone relaying it could
    // change its bytes. The one byte form is what canonicalize() writes;
    // refusing every other closes the whole class, whichever bit it is.
    auto canonical = reader->getRoot<capnp::AnyStruct>().canonicalize();
    if (canonical.size() != words ||
        std::memcmp(canonical.begin(), m->words_.begin(), words * sizeof(capnp::word)) != 0)
      return nonCanonical("non-canonical encoding: not the canonical byte form");
  } catch (const kj::Exception& e) {
    return Status::malformed("not a valid PoT message: " + std::string(e.getDescription().cStr()));
  }
  why = DecodeFailure::kNone;
  return m;
}

Result<MessagePtr> readMessage(const std::string& path, const ReadLimits& limits) {
  auto bytes = readFile(path, limits.maxBytes);
  if (!bytes) return bytes.status();
  auto m = decodeMessage(std::move(*bytes), limits);
  if (!m) return m.status().withContext(path == "-" ? "standard input" : "'" + path + "'");
  return m;
}

Result<MessagePtr> readMessage(const std::string& path, schema::Envelope::Which kind,
                               const ReadLimits& limits) {
  auto m = readMessage(path, limits);
  if (!m) return m;
  POT_TRY(expectKind(**m, kind, path == "-" ? "standard input" : "'" + path + "'"));
  return m;
}

std::string kindName(schema::Envelope::Which kind) {
  using W = schema::Envelope::Which;
  switch (kind) {
    case W::TRAINING_REQUEST:
      return "training request";
    case W::MODEL_STATE:
      return "model state";
    case W::STAGE_BATCH:
      return "stage batch";
    case W::LOSS_TRACE:
      return "loss trace";
    case W::TRAINING_DECLARATION:
      return "training declaration";
    case W::BLOCK_HEADER:
      return "block header";
    case W::STAKEHOLDER_SIGNATURE:
      return "stakeholder signature";
    case W::BLOCK:
      return "block";
    case W::TRANSACTION:
      return "transaction";
    case W::GENESIS:
      return "genesis";
  }
  return "unknown message (kind " + std::to_string(static_cast<int>(kind)) + ")";
}

std::optional<schema::Envelope::Which> kindFromName(const std::string& name) {
  std::string wanted = name;
  for (auto& c : wanted)
    if (c == '-' || c == '_') c = ' ';
  for (uint16_t k = 0; k <= static_cast<uint16_t>(schema::Envelope::GENESIS); ++k) {
    auto kind = static_cast<schema::Envelope::Which>(k);
    if (kindName(kind) == wanted) return kind;
  }
  return std::nullopt;
}

Status expectKind(const Message& message, schema::Envelope::Which kind, const std::string& source) {
  if (message.kind() == kind) return Status::ok();
  return Status::malformed(source + ": expected a " + kindName(kind) + ", got a " +
                           kindName(message.kind()));
}

Bytes encodeMessage(schema::Envelope::Reader envelope) {
  Bytes body = canonicalBytes(envelope);
  Bytes out(kFrameBytes + body.size());
  uint32_t words = static_cast<uint32_t>(body.size() / 8);
  coding::putLe32(out.data(), 0);  // segment count - 1: one segment
  coding::putLe32(out.data() + 4, words);
  std::memcpy(out.data() + kFrameBytes, body.data(), body.size());
  return out;
}

Status writeMessage(const std::string& path, schema::Envelope::Reader envelope) {
  return writeOutput(path, encodeMessage(envelope), /*binary=*/true);
}

Result<std::optional<MessagePtr>> MessageStream::next() {
  auto readExact = [&](uint8_t* buf, size_t n, size_t& got) -> Status {
    got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, buf + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Status::io(std::string("cannot read stream: ") + std::strerror(errno));
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    return Status::ok();
  };
  uint8_t frame[kFrameBytes];
  size_t got = 0;
  POT_TRY(readExact(frame, kFrameBytes, got));
  if (got == 0) return std::optional<MessagePtr>();
  if (got < kFrameBytes) return Status::malformed("truncated message frame");
  if (coding::getLe32(frame) != 0)
    return Status::malformed("not a PoT message: expected a single-segment frame");
  uint64_t words = coding::getLe32(frame + 4);
  if (kFrameBytes + words * 8 > limits_.maxBytes)
    return Status::malformed("message exceeds size limit");
  Bytes bytes(kFrameBytes + words * 8);
  std::memcpy(bytes.data(), frame, kFrameBytes);
  POT_TRY(readExact(bytes.data() + kFrameBytes, words * 8, got));
  if (got < words * 8) return Status::malformed("truncated message");
  auto m = decodeMessage(std::move(bytes), limits_);
  if (!m) return m.status();
  return std::optional<MessagePtr>(std::move(*m));
}

}  // namespace pot
