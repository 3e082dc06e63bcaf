// Follow-the-coin (docs/protocol.md, "Proof of activity").
#include "libcommon/consensus/poa.h"

#include <set>

namespace pot {

// Exact products of 64-bit amounts (a GCC/Clang extension).
__extension__ typedef unsigned __int128 Uint128;

uint64_t reduceModulo(const Hash256& r, uint64_t n) {
  Uint128 acc = 0;
  for (uint8_t b : r.bytes) acc = ((acc << 8) | b) % n;
  return static_cast<uint64_t>(acc);
}

Result<std::vector<PublicKey>> followTheCoin(const LedgerReader& parentState, const Hash256& seed,
                                             uint32_t k) {
  // Escrows have no key: a coin there could never sign, so it is not followed.
  std::set<Address> escrows;
  parentState.forEachModel([&](const ModelRecord& m) {
    escrows.insert(m.escrow);
    return true;
  });
  Uint128 supply = 0;
  parentState.forEachAccount([&](const Address& a, const Account& acc) {
    if (!escrows.count(a)) supply += acc.balance;
    return true;
  });
  if (supply == 0) return Status::invalid("no coins to follow: the stake supply is zero");
  if (supply > UINT64_MAX) return Status::internal("stake supply overflows 64 bits");
  std::vector<PublicKey> out;
  for (uint32_t i = 1; i <= k; ++i) {
    Sha256 h;
    h.update(std::string_view("pot/v1/ftc"));
    h.update(seed);
    h.updateU32(i);
    const uint64_t r = reduceModulo(h.finish(), static_cast<uint64_t>(supply));
    Uint128 cumulative = 0;
    std::optional<PublicKey> chosen;
    parentState.forEachAccount([&](const Address& a, const Account& acc) {
      if (escrows.count(a)) return true;
      cumulative += acc.balance;
      if (cumulative > r) {
        chosen = a;
        return false;
      }
      return true;
    });
    if (!chosen) return Status::internal("follow-the-coin ran past the supply");
    out.push_back(*chosen);
  }
  return out;
}

}  // namespace pot
