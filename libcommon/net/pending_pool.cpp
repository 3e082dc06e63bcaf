// The pending transaction pool (see pending_pool.h).
#include "libcommon/net/pending_pool.h"

#include <iterator>
#include <string>

#include "libcommon/core/message_io.h"

namespace pot::chaind {

Status PendingPool::add(const Bytes& message, ChainStore& chain) {
  auto m = decodeMessage(message);
  if (!m) return m.status();
  POT_TRY(expectKind(**m, schema::Envelope::TRANSACTION, "pending transaction"));
  auto body = (*m)->envelope().getTransaction().getBody();
  auto sender = Hash256::fromBytes(body.getSender().begin(), body.getSender().size());
  if (!sender) return Status::malformed("transaction sender is not 32 bytes");
  // Signed spam from fresh keys costs nothing: keep only what the sender
  // could pay for, within a window of its next nonce, so the pool cannot be
  // filled by accounts that will never make a block.
  auto account = chain.account(*sender);
  if (!account) return account.status();
  if (!*account || (*account)->balance < body.getFee())
    return Status::invalid("the sender cannot pay the fee at the tip");
  const uint64_t next = (*account)->nonce;
  if (body.getNonce() < next || body.getNonce() - next >= kNonceWindow)
    return Status::invalid("nonce " + std::to_string(body.getNonce()) + " is outside [" +
                           std::to_string(next) + ", " + std::to_string(next + kNonceWindow) + ")");
  if (size() >= capacity_) return Status::io("pending pool is full");
  bySender_[*sender][body.getNonce()] = message;
  return Status::ok();
}

size_t PendingPool::size() const {
  size_t n = 0;
  for (const auto& [sender, txs] : bySender_) n += txs.size();
  return n;
}

Result<std::vector<Bytes>> PendingPool::select(ChainStore& chain) {
  std::vector<Bytes> out;
  for (auto it = bySender_.begin(); it != bySender_.end();) {
    auto account = chain.account(it->first);
    if (!account) return account.status();
    uint64_t next = *account ? (*account)->nonce : 0;
    auto& txs = it->second;
    txs.erase(txs.begin(), txs.lower_bound(next));  // already on chain
    for (auto t = txs.find(next); t != txs.end() && t->first == next; ++t, ++next)
      out.push_back(t->second);
    it = txs.empty() ? bySender_.erase(it) : std::next(it);
  }
  return out;
}

}  // namespace pot::chaind
