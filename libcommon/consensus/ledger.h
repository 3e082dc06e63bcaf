// Ledger state (DESIGN 5.1): accounts, coin age, escrows, model progress; the fee queue.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libcommon/consensus/reject_reason.h"
#include "libcommon/core/crypto.h"
#include "libcommon/core/hash.h"
#include "libcommon/core/status.h"
#include "schemas/pot.capnp.h"

namespace pot {

// A broken consensus rule: its reason (docs/protocol.md) and a message.
struct Rejection {
  RejectReason reason = RejectReason::kNone;
  std::string message;
};

struct Account {
  uint64_t balance = 0;
  uint64_t nonce = 0;     // the nonce the next transaction must carry
  uint64_t ageSince = 0;  // coin age origin (Unix seconds)
  friend bool operator==(const Account& a, const Account& b) {
    return a.balance == b.balance && a.nonce == b.nonce && a.ageSince == b.ageSince;
  }
};

// A registered training request and how far the chain has trained it.
struct ModelRecord {
  Hash256 modelId;
  Address escrow;
  uint64_t feePerStage = 0;
  uint32_t declarers = 0;    // C
  uint32_t stagesTotal = 0;  // t
  uint32_t lastStage = 0;
  Hash256 lastStateHash;  // H(S_lastStage); H(S_0) when registered
  Hash256 anchor;         // block that recorded lastStage (or the registration)
  uint64_t registrationHeight = 0;
  uint64_t lastHeight = 0;  // height of `anchor`
  bool isDummy = false;
  // The request itself (every stage's batch hash: megabytes for a large
  // model) is not part of this record, which every block of the model
  // rewrites and its undo copies; a ledger keeps it once, beside the record
  // (LedgerReader::request).

  // The dummy model never runs out (DESIGN 5.8): the chain always has a stage to train.
  bool active() const { return isDummy || lastStage < stagesTotal; }
  friend bool operator==(const ModelRecord& a, const ModelRecord& b);
};

// Read side of a ledger state. Iteration is in ascending address order, which
// follow-the-coin depends on (DESIGN 5.5). A store that fails to read throws;
// the tool boundary turns that into an error (never "invalid").
class LedgerReader {
 public:
  virtual ~LedgerReader() = default;
  virtual std::optional<Account> account(const Address& address) const = 0;
  // Calls `visit` for each account in ascending address order until it returns false.
  virtual void forEachAccount(
      const std::function<bool(const Address&, const Account&)>& visit) const = 0;
  virtual std::optional<ModelRecord> model(const Hash256& modelId) const = 0;
  virtual void forEachModel(const std::function<bool(const ModelRecord&)>& visit) const = 0;
  // The registered model's TrainingRequest as an Envelope file (written once
  // at registration, gone with it); nullopt for an unknown model.
  virtual std::optional<Bytes> request(const Hash256& modelId) const = 0;
  // Every coin in existence, escrows included.
  virtual uint64_t totalSupply() const = 0;
};

// Write side: what applyBlock/undoBlock need. The LMDB store implements it
// inside one write transaction.
class LedgerStore : public LedgerReader {
 public:
  virtual Status putAccount(const Address& address, const Account& account) = 0;
  virtual Status eraseAccount(const Address& address) = 0;
  virtual Status putModel(const ModelRecord& record) = 0;
  // Stores a model's request; only at its registration (the genesis's dummy
  // or a registerModel transaction).
  virtual Status putRequest(const Hash256& modelId, const Bytes& request) = 0;
  // Erases the model's record and its request (undoing its registration).
  virtual Status eraseModel(const Hash256& modelId) = 0;
  virtual Status setTotalSupply(uint64_t supply) = 0;
};

// The in-memory ledger: tests, file-replayed chains, and validation scratch.
class MemoryLedger : public LedgerStore {
 public:
  std::optional<Account> account(const Address& address) const override;
  void forEachAccount(
      const std::function<bool(const Address&, const Account&)>& visit) const override;
  std::optional<ModelRecord> model(const Hash256& modelId) const override;
  void forEachModel(const std::function<bool(const ModelRecord&)>& visit) const override;
  std::optional<Bytes> request(const Hash256& modelId) const override;
  uint64_t totalSupply() const override { return supply_; }
  Status putAccount(const Address& address, const Account& account) override;
  Status eraseAccount(const Address& address) override;
  Status putModel(const ModelRecord& record) override;
  Status putRequest(const Hash256& modelId, const Bytes& request) override;
  Status eraseModel(const Hash256& modelId) override;
  Status setTotalSupply(uint64_t supply) override;

  friend bool operator==(const MemoryLedger& a, const MemoryLedger& b);

 private:
  std::map<Address, Account> accounts_;
  std::map<Hash256, ModelRecord> models_;
  // Shared, never changed once written: a copy of the ledger (a chain in
  // memory keeps one per block) does not copy megabytes of requests.
  std::map<Hash256, std::shared_ptr<const Bytes>> requests_;
  uint64_t supply_ = 0;
};

// Writes go to a private layer over a read-only base: validation simulates a
// block on the parent state without touching it.
class OverlayLedger : public LedgerStore {
 public:
  explicit OverlayLedger(const LedgerReader& base) : base_(base) {}
  std::optional<Account> account(const Address& address) const override;
  void forEachAccount(
      const std::function<bool(const Address&, const Account&)>& visit) const override;
  std::optional<ModelRecord> model(const Hash256& modelId) const override;
  void forEachModel(const std::function<bool(const ModelRecord&)>& visit) const override;
  std::optional<Bytes> request(const Hash256& modelId) const override;
  uint64_t totalSupply() const override { return supply_ ? *supply_ : base_.totalSupply(); }
  Status putAccount(const Address& address, const Account& account) override;
  Status eraseAccount(const Address& address) override;
  Status putModel(const ModelRecord& record) override;
  Status putRequest(const Hash256& modelId, const Bytes& request) override;
  Status eraseModel(const Hash256& modelId) override;
  Status setTotalSupply(uint64_t supply) override;

 private:
  const LedgerReader& base_;
  std::map<Address, std::optional<Account>> accounts_;
  std::map<Hash256, std::optional<ModelRecord>> models_;
  std::map<Hash256, std::optional<Bytes>> requests_;
  std::optional<uint64_t> supply_;
};

// Copies every record of `from` into `to` (e.g. a MemoryLedger snapshot).
Status copyLedger(const LedgerReader& from, LedgerStore& to);

// The records a block changed, as they were before it (serialisable).
struct BlockUndo {
  Hash256 blockId;
  std::vector<std::pair<Address, std::optional<Account>>> accounts;
  std::vector<std::pair<Hash256, std::optional<ModelRecord>>> models;
  uint64_t totalSupply = 0;
};

// ---- identities (docs/protocol.md, "Identifiers")

// messageId(pot/v1/request, request.body).
Hash256 modelIdOf(schema::TrainingRequest::Reader request);
// H("pot/v1/escrow" || modelId): a keyless address (DESIGN 5.1).
Address escrowAddress(const Hash256& modelId);

// The batch stage `stage` (1-based) trains on, as a 0-based index into the
// request's t stage batches: B_stage while stage <= t; beyond t (only the
// dummy model gets there, DESIGN 5.8) the batches cycle, stage i using
// batch ((i - 1) mod t) + 1.
inline uint32_t stageBatchIndex(uint32_t stage, uint32_t stagesTotal) {
  return (stage - 1) % stagesTotal;
}

// The request as an Envelope file: what LedgerReader::request gives back.
Bytes requestFileOf(schema::TrainingRequest::Reader request);

// A ModelRecord for a request registered by block `anchor` at `height`.
Result<ModelRecord> modelRecordFor(schema::TrainingRequest::Reader request, const Hash256& anchor,
                                   uint64_t height, bool isDummy);

// The fee-priority queue (DESIGN 5.1): active requests by the fee per stage
// their escrow can pay, min(feePerStage, escrow balance) (highest first; ties
// by earlier registration, then lower model id), so a registration claiming a
// large fee with an empty escrow cannot jump the queue for free; when none is
// active, the dummy model alone (it is always active, DESIGN 5.8). This is a
// node's choice of work, not a validation rule.
std::vector<ModelRecord> modelQueue(const LedgerReader& ledger);

// True if `address` is the escrow of a registered model.
bool isEscrow(const LedgerReader& ledger, const Address& address);

// Incoming coins merge age by weighted average (DESIGN 5.1).
uint64_t mergedAgeSince(uint64_t balance, uint64_t ageSince, uint64_t amount, uint64_t now);

}  // namespace pot
