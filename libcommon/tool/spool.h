// The gossip spool folder read back as messages, and message streams read from files.
#pragma once

#include <string>
#include <vector>

#include "libcommon/consensus/block_assembly.h"
#include "libcommon/consensus/chain_view.h"
#include "libcommon/core/message_io.h"

namespace pot {

// One spooled message and the file it came from.
struct SpoolEntry {
  std::string path;
  MessagePtr message;
  // When pot-gossip spooled it (the file's modification time, ms since the
  // epoch): when this node first saw the message (the fork policy's clock).
  uint64_t arrivedMs = 0;
};

// The messages of `kind` that pot-gossip spooled into SPOOL/<topic>/*.msg,
// by file name. A file that vanishes meanwhile (the spool prunes old files)
// or does not decode as `kind` is skipped: pot-gossip wrote only checked
// messages there, so such a file is not this reader's to judge. A missing
// topic folder is an empty list; an unreadable spool folder an I/O error.
Result<std::vector<SpoolEntry>> readSpool(const std::string& spoolDir,
                                          schema::Envelope::Which kind);

// The messages of a stream file ("-" for stdin), as `pot-chaind query
// pending` writes them; every one must be of `kind`. An empty file is none.
Result<std::vector<MessagePtr>> readMessageStream(const std::string& path,
                                                  schema::Envelope::Which kind);

// What the spool holds for a header's block (pot-stake --spool): the
// declarations the header names and, per index k < K, the first valid
// signature of the key drawn at k. `parts.header` must be set; the messages
// added to `parts` live in `held`.
struct SpooledParts {
  std::vector<SpoolEntry> declarations;
  std::vector<SpoolEntry> signatures;
};
Status addSpooledParts(const ChainView& chain, const std::string& spoolDir, BlockParts& parts,
                       SpooledParts& held);

// Plain pointers for the consensus functions, which never own messages.
std::vector<const Message*> pointersOf(const std::vector<SpoolEntry>& entries);
std::vector<const Message*> pointersOf(const std::vector<MessagePtr>& messages);

}  // namespace pot
