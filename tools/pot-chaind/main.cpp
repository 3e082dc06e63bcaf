// pot-chaind: the node's chain store on LMDB (run, import, export) and its query client.
#include <ctime>
#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/net/chaind.h"
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
  auto* q = app.add_subcommand(
      "query",
      "Ask a running pot-chaind: tip | block ID | block-at HEIGHT | "
      "account ADDR | model ID | models | state HASH | stakeholders HEADER-FILE | "
      "range FROM COUNT | pending | submit BLOCK-FILE");
  q->add_option("--connect", connect, "pot-chaind query endpoint")->required();
  q->add_option("query", args, "The query and its arguments")->required();
  q->add_option("-o,--output", output, "Where a block (or range stream) goes")
      ->capture_default_str();
  q->add_option("--timeout-ms", timeoutMs, "Wait this long for the reply")->capture_default_str();

  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (q->parsed()) {
      pot::net::Frames req{pot::net::frame(args[0])};
      const std::string& verb = args[0];
      bool binary = verb == "block" || verb == "block-at" || verb == "range" || verb == "pending";
      for (size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if ((verb == "block" || verb == "account" || verb == "model" || verb == "state") &&
            i == 1) {
          auto h = pot::Hash256::fromHex(a);
          if (!h) return pot::Status::usage("'" + a + "' is not 64 hex digits");
          req.push_back(pot::Bytes(h->bytes.begin(), h->bytes.end()));
        } else if ((verb == "stakeholders" || verb == "submit") && i == 1) {
          auto bytes = pot::readFile(a, 1ull << 30);
          if (!bytes) return bytes.status();
          req.push_back(std::move(*bytes));
        } else {
          // Checked here so a typo is a usage error, not a malformed request.
          if ((verb == "block-at" || verb == "range") &&
              (a.empty() || a.size() > 19 ||
               a.find_first_not_of("0123456789") != std::string::npos))
            return pot::Status::usage("'" + a + "' is not a decimal number");
          if (verb == "range" && i == 1 && a.find_first_not_of('0') == std::string::npos)
            return pot::Status::usage("range starts at height 1");
          req.push_back(pot::net::frame(a));
        }
      }
      auto reply = pot::chaind::query(connect, req, timeoutMs);
      if (!reply) return reply.status();
      if (binary) {
        pot::Bytes all;
        for (const auto& f : *reply) all.insert(all.end(), f.begin(), f.end());
        return pot::writeOutput(output, all, true);
      }
      std::string text;
      if (verb == "submit" && reply->size() == 3) {
        text = "{\"id\": \"" + pot::toHex((*reply)[0]) + "\", \"status\": \"" +
               pot::net::text((*reply)[1]) + "\", \"height\": " + pot::net::text((*reply)[2]) + "}";
      } else {
        for (const auto& f : *reply) text += pot::net::text(f) + "\n";
        if (!text.empty()) text.pop_back();
      }
      return pot::writeOutput(output, text + "\n");
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
    for (const auto& f : files) {
      auto bytes = pot::readFile(f, 64ull << 20);
      if (!bytes) return bytes.status();
      auto res = (*chain)->importBlock(*bytes, clock);
      if (!res) return res.status().withContext("'" + f + "'");
      if (json)
        std::cout << "{\"file\": \"" << f << "\", \"id\": \"" << res->id.hex()
                  << "\", \"height\": " << res->height << ", \"status\": \""
                  << (res->known        ? "known"
                      : res->tipChanged ? "tip"
                                        : "side")
                  << "\"}" << std::endl;
    }
    return pot::Status::ok();
  });
}
