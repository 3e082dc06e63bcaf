// Reading pot-gossip's spool folder and message stream files.
#include "libcommon/tool/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "libcommon/consensus/block.h"
#include "libcommon/consensus/duties.h"
#include "libcommon/core/fileio.h"
#include "libcommon/net/gossip.h"

namespace pot {

namespace fs = std::filesystem;

Result<std::vector<SpoolEntry>> readSpool(const std::string& spoolDir,
                                          schema::Envelope::Which kind) {
  std::error_code ec;
  if (!fs::is_directory(spoolDir, ec)) return Status::io("no spool folder '" + spoolDir + "'");
  const fs::path dir = fs::path(spoolDir) / gossip::topic(kind);
  std::vector<std::string> names;
  if (fs::is_directory(dir, ec)) {
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string f = e.path().filename().string();
      if (f.size() > 4 && f.compare(f.size() - 4, 4, ".msg") == 0) names.push_back(f);
    }
    if (ec) return Status::io("cannot list '" + dir.string() + "': " + ec.message());
  }
  std::sort(names.begin(), names.end());
  std::vector<SpoolEntry> out;
  for (const auto& f : names) {
    const std::string path = (dir / f).string();
    struct stat st {};
    // Read the time before the bytes: a file pruned in between is skipped.
    if (::stat(path.c_str(), &st) != 0) continue;
    auto m = readMessage(path, kind);
    if (m)
      out.push_back({path, std::move(*m),
                     static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000 +
                         static_cast<uint64_t>(st.st_mtim.tv_nsec) / 1000000});
  }
  return out;
}

Result<std::vector<MessagePtr>> readMessageStream(const std::string& path,
                                                  schema::Envelope::Which kind) {
  int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::io("cannot open '" + path + "'");
  std::vector<MessagePtr> out;
  Status failed = Status::ok();
  MessageStream stream(fd);
  for (int n = 1;; ++n) {
    auto next = stream.next();
    if (!next) {
      failed = next.status().withContext("'" + path + "', message " + std::to_string(n));
      break;
    }
    if (!next->has_value()) break;
    failed = expectKind(***next, kind, "'" + path + "', message " + std::to_string(n));
    if (!failed) break;
    out.push_back(std::move(**next));
  }
  if (fd != STDIN_FILENO) ::close(fd);
  if (!failed) return failed;
  return out;
}

Status addSpooledParts(const ChainView& chain, const std::string& spoolDir, BlockParts& parts,
                       SpooledParts& held) {
  auto tds = readSpool(spoolDir, schema::Envelope::TRAINING_DECLARATION);
  if (!tds) return tds.status();
  held.declarations = std::move(*tds);
  auto sigs = readSpool(spoolDir, schema::Envelope::STAKEHOLDER_SIGNATURE);
  if (!sigs) return sigs.status();
  held.signatures = std::move(*sigs);
  auto header = parts.header->envelope().getBlockHeader();
  // A header naming a declaration the spool lacks gets none from it: the
  // wrapper then refuses with the missing id, which is the useful message.
  if (auto named = namedDeclarations(header, pointersOf(held.declarations)))
    parts.declarations.insert(parts.declarations.end(), named->begin(), named->end());
  auto drawn = stakeholdersOf(chain, header);
  if (!drawn) return drawn.status();
  for (const auto& [index, m] :
       countedSignatures(headerIdOf(header), *drawn, pointersOf(held.signatures)))
    parts.signatures.push_back(m);
  return Status::ok();
}

std::vector<const Message*> pointersOf(const std::vector<SpoolEntry>& entries) {
  std::vector<const Message*> out;
  for (const auto& e : entries) out.push_back(e.message.get());
  return out;
}

std::vector<const Message*> pointersOf(const std::vector<MessagePtr>& messages) {
  std::vector<const Message*> out;
  for (const auto& m : messages) out.push_back(m.get());
  return out;
}

}  // namespace pot
