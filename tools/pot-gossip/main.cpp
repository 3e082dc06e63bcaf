// pot-gossip: the flooding daemon (run) and its local clients (publish, subscribe, stats, inject).
#include <iostream>

#include "libcommon/consensus/genesis.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/net/gossip.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{"Flood PoT messages among peers over ZeroMQ; publish and subscribe locally.",
               "pot-gossip"};
  app.require_subcommand(1);

  pot::gossip::Options run;
  auto* r = app.add_subcommand("run", "Run the daemon until SIGINT/SIGTERM");
  r->add_option("--bind", run.bind, "Peer endpoint to listen on, e.g. tcp://127.0.0.1:*")
      ->required();
  r->add_option("--peer", run.peers, "A peer's --bind endpoint (repeatable)");
  r->add_option("--control", run.control, "Local endpoint for publish and stats");
  r->add_option("--events", run.events, "Local endpoint subscribers connect to");
  r->add_option("--endpoint-file", run.endpointFile,
                "Write 'peer|control|events ENDPOINT' lines here once listening");
  r->add_option("--spool", run.spoolDir, "Also write accepted messages to DIR/<kind>/<id>.msg");
  r->add_option("--spool-max-age", run.spoolMaxAgeSeconds,
                "Remove spooled messages older than this many seconds (0: keep them all)")
      ->capture_default_str();
  r->add_option("--max-message-bytes", run.maxMessageBytes, "Largest message relayed")
      ->capture_default_str();
  r->add_option("--ban-seconds", run.banSeconds,
                "How long a dropped peer's address is refused (0: only its connection is closed)")
      ->capture_default_str();
  r->add_option("--max-peers", run.maxInboundPeers, "Inbound peer connections kept at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  r->add_option("--trust", run.trusted,
                "Also never ban this address, only disconnect it (repeatable); this machine's own "
                "addresses always are, unless --trust none");
  std::string genesisPath;
  r->add_option("--genesis", genesisPath,
                "This chain's genesis file: peers on another genesis are refused at the hello "
                "(without it, peers of any chain are linked)");
  r->add_option("--chaind", run.chaind, "The node's pot-chaind, asked for the height in log lines");
  r->add_option("--chaind-file", run.chaindFile,
                "pot-chaind's endpoint file, read when it appears (instead of --chaind)");
  r->add_flag("--quiet", run.quiet, "No log on stderr");

  std::string control;
  std::vector<std::string> files;
  int timeoutMs = 10000;
  bool json = false;
  auto* p = app.add_subcommand("publish", "Hand messages to the local daemon to check and flood");
  p->add_option("--control", control, "The daemon's control endpoint")->required();
  p->add_option("files", files, "Message files ('-' for stdin)")->required();
  p->add_option("--timeout-ms", timeoutMs, "Wait this long for each reply")->capture_default_str();
  p->add_flag("--json", json, "One {\"id\": ...} line per message");

  auto* s = app.add_subcommand("stats", "Print the daemon's counters as JSON");
  s->add_option("--control", control, "The daemon's control endpoint")->required();
  s->add_option("--timeout-ms", timeoutMs, "Wait this long for the reply")->capture_default_str();

  pot::gossip::SubscribeOptions sub;
  auto* b = app.add_subcommand("subscribe", "Receive messages of some kinds from the local daemon");
  b->add_option("--events", sub.events, "The daemon's events endpoint")->required();
  b->add_option("--kind", sub.kinds,
                "A kind such as training-declaration (repeatable; default all)");
  b->add_option("--out-dir", sub.outDir,
                "Write each message to DIR/<id>.msg (default: stdout stream)");
  b->add_option("--ready-file", sub.readyFile, "Create this file once the subscription is live");
  b->add_option("--count", sub.count, "Exit after this many messages");
  b->add_option("--timeout-ms", sub.timeoutMs, "Fail (exit 4) if not done within this time");

  std::string peer;
  int lingerMs = 300;
  auto* i = app.add_subcommand("inject", "Act as a peer and send files as they are, unchecked");
  i->add_option("--peer", peer, "The daemon's peer endpoint")->required();
  i->add_option("files", files, "Files to send, one message each")->required();
  i->add_option("--linger-ms", lingerMs, "Stay connected this long")->capture_default_str();
  i->add_option("--genesis", genesisPath, "The genesis the hello names (default: none)");
  uint64_t helloVersion = pot::gossip::kProtocolVersion;
  i->add_option("--protocol-version", helloVersion, "The protocol version the hello names")
      ->capture_default_str();

  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    std::optional<pot::Hash256> genesis;
    if (!genesisPath.empty()) {
      auto g = pot::loadGenesis(genesisPath);
      if (!g) return g.status();
      genesis = g->id;
    }
    if (r->parsed()) {
      run.genesis = genesis;
      return pot::gossip::run(run);
    }
    if (s->parsed()) {
      auto st = pot::gossip::stats(control, timeoutMs);
      if (!st) return st.status();
      std::cout << *st << std::endl;
      return pot::Status::ok();
    }
    if (b->parsed()) {
      if (sub.outDir.empty() && pot::isTerminal(1))
        return pot::Status::usage("refusing to write binary messages to a terminal; use --out-dir");
      auto n = pot::gossip::subscribe(sub);
      return n ? pot::Status::ok() : n.status();
    }
    std::vector<pot::Bytes> messages;
    for (const auto& f : files) {
      auto bytes = pot::readFile(f, 1ull << 30);
      if (!bytes) return bytes.status();
      messages.push_back(std::move(*bytes));
    }
    if (i->parsed()) return pot::gossip::inject(peer, {helloVersion, genesis}, messages, lingerMs);
    for (size_t k = 0; k < messages.size(); ++k) {
      auto id = pot::gossip::publish(control, messages[k], timeoutMs);
      if (!id) return id.status().withContext("'" + files[k] + "'");
      std::cout << (json ? pot::JsonWriter().beginObject().field("id", id->hex()).endObject().str()
                         : id->hex())
                << std::endl;
    }
    return pot::Status::ok();
  });
}
