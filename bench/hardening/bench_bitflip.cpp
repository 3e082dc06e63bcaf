// Flips every bit (or every STRIDE-th) of real PoT message files and decodes each result:
// an accepted flip must be another message, never an equivalent re-encoding of the same one
// (DESIGN 3: one byte form). Prints one line per file and a total; exit 1 if any equivalent
// re-encoding was accepted.
//
// Usage: bench_bitflip [--stride N] [--data-stride M] FILE...
//
// --data-stride M: every bit outside the contents of Data fields (segment table, pointers,
// list tag words, struct bodies, text, padding: everything a reader interprets) is flipped,
// and every M-th bit inside Data contents (a trained state's tensor bytes, over 99% of its
// file). A flip inside Data contents changes those bytes, which the canonical form copies as
// they are: it can only give another message or be refused, never an equivalent one; so the
// structure of a large state is flipped exhaustively at a fraction of the cost.
//
// For an accepted flip: "same content" means it re-encodes to the original bytes (cannot
// happen once decoding insists on the canonical bytes, which is what this measures); "same
// id" means a signed message whose id (the body's signing payload) did not change, i.e. the
// flip hit its signature: that signature must then fail to verify, else two valid byte
// forms of one message would exist.
#include <capnp/dynamic.h>
#include <capnp/serialize.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "libcommon/core/fileio.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/signatures.h"

namespace {

// The id of a signed message (its body's signing payload hash); nullopt when unsigned.
std::optional<pot::Hash256> signedMessageId(const pot::Message& m) {
  auto domain = pot::signingDomain(m.kind());
  if (!domain) return std::nullopt;
  auto env = capnp::toDynamic(m.envelope());
  KJ_IF_MAYBE (member, env.which()) {
    auto body = env.get(*member).as<capnp::DynamicStruct>().get("body");
    return pot::messageId(*domain, body.as<capnp::DynamicStruct>());
  }
  return std::nullopt;
}

// Adds the [begin, end) file offsets of every non-empty Data field's contents under v.
void dataRanges(capnp::DynamicValue::Reader v, const capnp::word* base,
                std::vector<std::pair<size_t, size_t>>& out) {
  switch (v.getType()) {
    case capnp::DynamicValue::DATA: {
      auto d = v.as<capnp::Data>();
      auto at = static_cast<size_t>(d.begin() - reinterpret_cast<const kj::byte*>(base));
      if (d.size() > 0) out.emplace_back(at, at + d.size());
      break;
    }
    case capnp::DynamicValue::LIST:
      for (auto e : v.as<capnp::DynamicList>()) dataRanges(e, base, out);
      break;
    case capnp::DynamicValue::STRUCT: {
      auto st = v.as<capnp::DynamicStruct>();
      for (auto f : st.getSchema().getFields())
        if (st.has(f))
          dataRanges(st.get(f), base, out);  // has() is false for inactive union members
      break;
    }
    default:
      break;
  }
}

// The Data contents of a canonical single-segment message file, sorted by offset.
std::vector<std::pair<size_t, size_t>> dataRanges(const pot::Bytes& bytes) {
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), words.size() * sizeof(capnp::word));
  capnp::ReaderOptions options;
  options.traversalLimitInWords = words.size() * 4;
  capnp::FlatArrayMessageReader reader(words, options);
  std::vector<std::pair<size_t, size_t>> out;
  dataRanges(capnp::toDynamic(reader.getRoot<pot::schema::Envelope>()), words.begin(), out);
  std::sort(out.begin(), out.end());
  return out;
}

struct Counts {
  uint64_t flips = 0, malformed = 0, nonCanonical = 0, acceptedOther = 0, sameIdBadSig = 0;
  uint64_t equivalent = 0;  // must stay 0
  void add(const Counts& c) {
    flips += c.flips;
    malformed += c.malformed;
    nonCanonical += c.nonCanonical;
    acceptedOther += c.acceptedOther;
    sameIdBadSig += c.sameIdBadSig;
    equivalent += c.equivalent;
  }
};

void print(const std::string& name, const Counts& c, double seconds) {
  std::printf(
      "%-28s %9llu flips  %9llu malformed  %9llu non-canonical  %8llu other-message  "
      "%6llu same-id-bad-sig  %llu equivalent  %.1f s\n",
      name.c_str(), (unsigned long long)c.flips, (unsigned long long)c.malformed,
      (unsigned long long)c.nonCanonical, (unsigned long long)c.acceptedOther,
      (unsigned long long)c.sameIdBadSig, (unsigned long long)c.equivalent, seconds);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t stride = 1, dataStride = 0;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--stride" && i + 1 < argc)
      stride = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--data-stride" && i + 1 < argc)
      dataStride = std::strtoull(argv[++i], nullptr, 10);
    else
      files.push_back(a);
  }
  if (files.empty() || stride == 0 || (dataStride != 0 && stride != 1)) {
    std::fprintf(stderr, "usage: bench_bitflip [--stride N | --data-stride M] FILE...\n");
    return 2;
  }
  // Every flip decodes and re-encodes a whole file: for a trained state of several hundred
  // KB glibc would mmap and unmap each of those buffers, and the page faults cost six times
  // the decoding itself. Kept on the heap, a flip of an 800 KB state takes about 1 ms.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  Counts total;
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& path : files) {
    auto bytes = pot::readFile(path, 1ull << 30);
    if (!bytes) {
      std::fprintf(stderr, "bench_bitflip: error: %s\n", bytes.status().message().c_str());
      return 4;
    }
    auto original = pot::decodeMessage(*bytes);
    if (!original) {
      std::fprintf(stderr, "bench_bitflip: error: %s is not a message: %s\n", path.c_str(),
                   original.status().message().c_str());
      return 3;
    }
    const auto originalId = signedMessageId(**original);
    Counts c;
    auto t1 = std::chrono::steady_clock::now();
    // The bits to flip: every STRIDE-th; with --data-stride, every bit outside Data contents
    // and every M-th inside.
    std::vector<uint64_t> bits;
    uint64_t structureBits = 0;
    if (dataStride == 0) {
      for (uint64_t bit = 0; bit < bytes->size() * 8; bit += stride) bits.push_back(bit);
    } else {
      auto ranges = dataRanges(*bytes);
      size_t r = 0;
      uint64_t inData = 0;
      for (uint64_t bit = 0; bit < bytes->size() * 8; ++bit) {
        while (r < ranges.size() && bit / 8 >= ranges[r].second) ++r;
        bool data = r < ranges.size() && bit / 8 >= ranges[r].first;
        if (!data) {
          bits.push_back(bit);
          ++structureBits;
        } else if (inData++ % dataStride == 0) {
          bits.push_back(bit);
        }
      }
      std::printf(
          "%s: %llu bits outside Data contents (all flipped), %llu inside (every %llu-th)\n",
          path.c_str(), (unsigned long long)structureBits,
          (unsigned long long)(bytes->size() * 8 - structureBits), (unsigned long long)dataStride);
    }
    pot::Bytes flipped = *bytes;  // flipped in place and back, not copied per flip
    for (uint64_t bit : bits) {
      const auto mask = static_cast<uint8_t>(1u << (bit % 8));
      flipped[bit / 8] ^= mask;
      ++c.flips;
      pot::DecodeFailure why;
      auto m = pot::decodeMessage(flipped, {}, &why);
      flipped[bit / 8] ^= mask;
      if (!m) {
        (why == pot::DecodeFailure::kNonCanonical ? c.nonCanonical : c.malformed)++;
        continue;
      }
      if (pot::encodeMessage((*m)->envelope()) == *bytes) {
        ++c.equivalent;
        std::printf("EQUIVALENT: %s bit %llu\n", path.c_str(), (unsigned long long)bit);
        continue;
      }
      auto id = signedMessageId(**m);
      if (originalId && id && *id == *originalId && (*m)->kind() == (*original)->kind()) {
        if (pot::hasValidSignature(**m)) {
          ++c.equivalent;
          std::printf("SAME ID, VALID SIGNATURE: %s bit %llu\n", path.c_str(),
                      (unsigned long long)bit);
        } else {
          ++c.sameIdBadSig;
        }
        continue;
      }
      ++c.acceptedOther;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    print(path.substr(path.find_last_of('/') + 1), c, s);
    total.add(c);
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  print("TOTAL (" + std::to_string(files.size()) + " files)", total, s);
  return total.equivalent == 0 ? 0 : 1;
}
