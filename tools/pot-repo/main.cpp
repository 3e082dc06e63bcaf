// pot-repo: the employer's repository over ZeroMQ (serve), and its client (get, put).
#include <iostream>

#include "libcommon/core/fileio.h"
#include "libcommon/core/json_writer.h"
#include "libcommon/net/repo.h"
#include "libcommon/tool/tool.h"

int main(int argc, char** argv) {
  CLI::App app{"Serve or use an employer's content-addressed repository over ZeroMQ.", "pot-repo"};
  app.require_subcommand(1);

  pot::repo::ServeOptions serve;
  std::string dir, allowList;
  auto* s = app.add_subcommand("serve", "Serve a repository folder written by pot-partition");
  s->add_option("repo", dir, "Repository folder (objects/, request)")->required();
  s->add_option("--bind", serve.bind, "Endpoint to listen on")->capture_default_str();
  s->add_option("--endpoint-file", serve.endpointFile,
                "Write the resolved endpoint here once listening");
  s->add_option("--allow-state-hashes", allowList,
                "File of hex hashes (one a line, re-read on change) that uploads may have");
  std::string chaind;
  s->add_option("--chaind", chaind,
                "pot-chaind endpoint asked whether an upload's hash is on chain (and for the "
                "height in log lines)");
  s->add_option("--max-object-bytes", serve.maxObjectBytes, "Largest object accepted or served")
      ->capture_default_str();
  s->add_option("--ban-seconds", serve.banSeconds, "How long a client that sent garbage is refused")
      ->capture_default_str();
  s->add_option("--trust", serve.trusted,
                "Also never ban this address, only disconnect it (repeatable); this machine's own "
                "addresses always are, unless --trust none");
  s->add_flag("--quiet", serve.quiet, "No progress on stderr");

  std::string connect, subject, output = "-";
  int timeoutMs = 10000;
  uint64_t maxBytes = 256ull << 20;
  auto* g = app.add_subcommand("get", "Fetch an object by hash (or the request) and verify it");
  g->add_option("--connect", connect, "Repository endpoint")->required();
  g->add_option("hash", subject, "Hex SHA-256 of the object, or 'request'")->required();
  g->add_option("-o,--output", output, "Output file, '-' for stdout")->capture_default_str();
  g->add_option("--timeout-ms", timeoutMs, "Wait this long for the reply")->capture_default_str();
  g->add_option("--max-object-bytes", maxBytes, "Largest object accepted")->capture_default_str();

  std::string input;
  bool json = false;
  auto* p = app.add_subcommand("put", "Upload an object (a state whose hash is on chain)");
  p->add_option("--connect", connect, "Repository endpoint")->required();
  p->add_option("file", input, "Object file, '-' for stdin")->required();
  p->add_option("--timeout-ms", timeoutMs, "Wait this long for the reply")->capture_default_str();
  p->add_flag("--json", json, "Print {\"hash\": ...}");

  return pot::toolMain(app, argc, argv, [&]() -> pot::Status {
    if (s->parsed()) {
      serve.chaind = chaind;
      if (!allowList.empty() && !chaind.empty())
        return pot::Status::usage("--allow-state-hashes and --chaind are exclusive");
      if (allowList.empty() && chaind.empty() && !serve.quiet)
        pot::note("pot-repo",
                  "no --chaind or --allow-state-hashes: uploads of new objects are refused");
      pot::repo::Repository repo(dir, serve.maxObjectBytes,
                                 !chaind.empty()     ? pot::repo::chaindOnChain(chaind, 5000)
                                 : allowList.empty() ? pot::repo::Repository::OnChain()
                                                     : pot::repo::allowListFile(allowList));
      return pot::repo::serve(repo, serve);
    }
    if (g->parsed()) {
      pot::Result<pot::Bytes> bytes = pot::Status::internal("unset");
      if (subject == "request") {
        bytes = pot::repo::fetchRequest(connect, timeoutMs, maxBytes);
      } else {
        auto hash = pot::Hash256::fromHex(subject);
        if (!hash) return pot::Status::usage("'" + subject + "' is not a hex SHA-256 or 'request'");
        bytes = pot::repo::fetch(connect, *hash, timeoutMs, maxBytes);
      }
      if (!bytes) return bytes.status();
      return pot::writeOutput(output, *bytes, true);
    }
    auto bytes = pot::readFile(input, 1ull << 30);
    if (!bytes) return bytes.status();
    auto hash = pot::repo::upload(connect, *bytes, timeoutMs);
    if (!hash) return hash.status();
    std::cout << (json
                      ? pot::JsonWriter().beginObject().field("hash", hash->hex()).endObject().str()
                      : hash->hex())
              << std::endl;
    return pot::Status::ok();
  });
}
