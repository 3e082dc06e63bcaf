// Ledger records as stored: accounts, models and undo data as standalone canonical messages.
#pragma once

#include "libcommon/consensus/ledger.h"

namespace pot {

Bytes encodeAccount(const Account& account);
Result<Account> decodeAccount(const Bytes& bytes);
Bytes encodeModel(const ModelRecord& record);
Result<ModelRecord> decodeModel(const Bytes& bytes);
Bytes encodeUndo(const BlockUndo& undo);
Result<BlockUndo> decodeUndo(const Bytes& bytes);

}  // namespace pot
