// libFuzzer target: pot-gossip's handling of a peer's frames (parsePeerFrames, then check() for
// a message or helloMismatch() for a hello), as the daemon does for inbound (behind a routing
// id) and dialled links. Input: the frames (fuzz_frames.h); its first byte picks the side.
// Invariants: a message is accepted only when it decodes and re-encodes to its own bytes, and
// a second copy of an accepted message is a duplicate.
#include "fuzz_frames.h"
#include "libcommon/net/gossip.h"

namespace {

pot::gossip::SeenSet seen(1000);

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool inbound = data[0] & 1;
  pot::net::Frames frames = pot::fuzz::framesOf(data + 1, size - 1);
  const size_t verbAt = inbound ? 1 : 0;
  if (inbound && frames.empty()) return 0;  // a ROUTER always gives the routing id
  auto said = pot::gossip::parsePeerFrames(frames, verbAt, /*refuseAllowed=*/!inbound);
  using Kind = pot::gossip::PeerFrames::Kind;
  if (said.kind == Kind::kHello) {
    pot::gossip::Hello ours;
    (void)pot::gossip::helloMismatch(ours, said.hello, "fuzz");
    if (said.hello.genesis && said.hello.genesis->hex().size() != 64) __builtin_trap();
    return 0;
  }
  if (said.kind == Kind::kRefuse && said.refusal.size() > 300) __builtin_trap();
  if (said.kind != Kind::kMessage) return 0;
  const pot::Bytes& bytes = *said.message;
  auto c = pot::gossip::check(bytes, 1 << 20, seen);
  if (c.verdict != pot::gossip::Verdict::kAccept) return 0;
  if (!c.message || pot::encodeMessage(c.message->envelope()) != bytes) __builtin_trap();
  if (!pot::gossip::isGossiped(c.message->kind())) __builtin_trap();
  seen.insert(c.id);
  if (pot::gossip::check(bytes, 1 << 20, seen).verdict != pot::gossip::Verdict::kDuplicate)
    __builtin_trap();
  return 0;
}
