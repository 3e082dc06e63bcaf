// Transactions seen on gossip that may go into the next block (pot-chaind's "pending" query).
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "libcommon/store/chain_store.h"

namespace pot::chaind {

// Signatures were checked by pot-gossip; nonces and balances are the
// validator's, so this only orders and filters by nonce.
class PendingPool {
 public:
  // Nonces kept per sender: [next nonce at the tip, next + kNonceWindow).
  static constexpr uint64_t kNonceWindow = 64;
  explicit PendingPool(size_t capacity = 10000) : capacity_(capacity) {}
  // Keeps a decoded transaction message whose sender exists at the tip, can
  // pay its fee and uses a nonce in the window; refuses other kinds.
  Status add(const Bytes& message, ChainStore& chain);
  // For each sender, the transactions whose nonces follow its on-chain nonce
  // without a gap, in nonce order; those the chain already used are dropped.
  Result<std::vector<Bytes>> select(ChainStore& chain);
  size_t size() const;

 private:
  size_t capacity_;
  std::map<Address, std::map<uint64_t, Bytes>> bySender_;
};

}  // namespace pot::chaind
