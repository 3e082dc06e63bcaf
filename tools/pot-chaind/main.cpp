// pot-chaind: the node's chain store on LMDB (run, import, export) and its query client.
#include <algorithm>
#include <ctime>
#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/net/chaind_queries.h"
#include "libcommon/net/chaind_server.h"
#include "libcommon/store/chain_store.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Keep a node's chain in LMDB: import, validate, choose the best chain, answer queries.",
      "pot-chaind"};
  app.require_subcommand(1);
  std::string db, genesis;
  auto dbOptions = [&](CLI::App* sub) {
    sub->add_option("--db", db, "Store directory (LMDB)")->required();
    sub->add_option("--genesis", genesis, "Genesis file (required for a new store)");
  };

  pot::chaind::ServeOptions serve;
  auto* r = app.add_subcommand("run", "Serve queries and import blocks until SIGINT/SIGTERM");
  dbOptions(r);
  r->add_option("--bind", serve.bind, "Query endpoint")->capture_default_str();
  r->add_option("--endpoint-file", serve.endpointFile,
                "Write the resolved endpoint here once listening");
  r->add_option("--gossip-events", serve.gossipEvents,
                "Import blocks from this pot-gossip events endpoint");
  r->add_option("--gossip-control", serve.gossipControl,
                "Publish blocks imported otherwise to this pot-gossip");
  r->add_option("--sync-from", serve.syncFrom,
                "A peer's pot-chaind endpoint to catch up from (repeatable)");
  r->add_option("--sync-batch", serve.syncBatchBlocks,
                "Blocks asked of a sync peer at once (1-256; fewer keep each import turn short)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  r->add_option("--export-dir", serve.exportDir,
                "Keep the best chain as block files here (for --chain)");
  r->add_option("--max-message-bytes", serve.maxMessageBytes, "Largest query or block accepted")
      ->capture_default_str();
  r->add_option("--ban-seconds", serve.banSeconds,
                "How long a client that sent garbage or a bad block, or a sync peer that "
                "served one, is refused")
      ->capture_default_str();
  r->add_option("--trust", serve.trusted,
                "Also never ban this address, only disconnect it (repeatable); this machine's own "
                "addresses always are, unless --trust none");
  r->add_flag("--quiet", serve.quiet, "No log on stderr");

  std::vector<std::string> files;
  std::optional<uint64_t> now;
  bool json = false;
  auto* im = app.add_subcommand("import", "Validate and store block files (in order) directly");
  dbOptions(im);
  im->add_option("files", files, "Block files ('-' for stdin)")->required();
  im->add_option("--now", now, "Clock for the too-new rule (Unix seconds)");
  im->add_flag("--json", json, "One result object per block");

  std::string outDir;
  auto* ex = app.add_subcommand("export", "Write the best chain as NNNNNN.block files");
  dbOptions(ex);
  ex->add_option("-o,--out-dir", outDir, "Directory for the block files")->required();

  auto* tp = app.add_subcommand(
      "tip", "Print a store's best block as JSON, read-only (also while pot-chaind runs)");
  dbOptions(tp);

  std::string connect, output = "-";
  std::vector<std::string> args;
  int timeoutMs = 10000;
  auto* q = app.add_subcommand("query", "Ask a running pot-chaind: " + pot::chaind::queryUsage());
  q->add_option("--connect", connect, "pot-chaind query endpoint")->required();
  q->add_option("query", args, "The query and its arguments")->required();
  q->add_option("-o,--output", output, "Where a block (or range stream) goes")
      ->capture_default_str();
  q->add_option("--timeout-ms", timeoutMs, "Wait this long for the reply")->capture_default_str();
  std::string keyFile;
  q->add_option("--key", keyFile,
                "status: report this key's account (a PEM key file; or give the address or "
                "file after 'status')");
  q->add_flag("--json", json, "status: the view as one JSON object instead of lines");

  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (q->parsed()) {
      if (!keyFile.empty()) {
        if (args[0] != "status" || args.size() != 1)
          return pot::Status::usage("--key goes with a bare 'status' query");
        args.push_back(keyFile);
      }
      auto req = pot::chaind::queryRequest(args);
      if (!req) return req.status();
      auto reply = pot::chaind::query(connect, *req, timeoutMs);
      if (!reply && reply.status().code() == pot::ExitCode::kMalformed &&
          !pot::chaind::findQuery(args[0])) {
        // The server judges verbs it may serve and we do not know; a typo of
        // one we know gets a hint.
        std::vector<std::string> verbs;
        for (const auto& v : pot::chaind::queryVerbs()) verbs.emplace_back(v.name);
        if (auto near = pot::nearestName(args[0], verbs))
          return pot::Status::malformed(reply.status().message() + "; did you mean '" + *near +
                                        "'?");
      }
      if (!reply) return reply.status();
      const pot::chaind::QueryVerb* verb = pot::chaind::findQuery(args[0]);
      if (verb && verb->binaryReply) {
        pot::Bytes all;
        for (const auto& f : *reply) all.insert(all.end(), f.begin(), f.end());
        return pot::writeOutput(output, all, true);
      }
      auto text = pot::chaind::queryText(args[0], *reply, json);
      if (!text) return text.status();
      return pot::writeOutput(output, *text);
    }
    auto chain = pot::chaind::ChainStore::open(db, genesis, ex->parsed() || tp->parsed());
    if (!chain) return chain.status();
    if (r->parsed()) return pot::chaind::serve(**chain, serve);
    if (ex->parsed()) return (*chain)->exportChain(outDir);
    if (tp->parsed()) {
      auto t = (*chain)->tip();
      if (!t) return t.status();
      std::cout << pot::chaind::blockInfoJson(*t) << std::endl;
      return pot::Status::ok();
    }
    const uint64_t clock = now ? *now : static_cast<uint64_t>(std::time(nullptr));
    // Bulk import (signatures on all cores, several blocks a commit): files
    // are read a chunk at a time, and a block's line is printed once the
    // transaction holding it committed.
    constexpr size_t kChunk = 1024;
    for (size_t from = 0; from < files.size(); from += kChunk) {
      std::vector<pot::Bytes> blocks;
      pot::Status unread;
      for (size_t i = from; i < std::min(from + kChunk, files.size()) && unread.isOk(); ++i) {
        auto bytes = pot::readFile(files[i], pot::chaind::kMaxBlockFileBytes);
        if (bytes)
          blocks.push_back(std::move(*bytes));
        else
          unread = bytes.status();
      }
      size_t done = 0;
      pot::Status s = (*chain)->importBlocks(blocks, clock,
                                             [&](size_t i, const pot::chaind::ImportResult& res) {
                                               done = i + 1;
                                               if (!json) return;
                                               pot::JsonWriter j;
                                               j.beginObject()
                                                   .field("file", files[from + i])
                                                   .field("id", res.id.hex())
                                                   .field("height", res.height)
                                                   .field("status", pot::chaind::importStatus(res))
                                                   .endObject();
                                               std::cout << j.str() << std::endl;
                                             });
      // Blocks before a refused one stay stored; its name is the first
      // without a line.
      if (!s) return s.withContext("'" + files[from + done] + "'");
      if (!unread) return unread;
    }
    return pot::Status::ok();
  });
}
