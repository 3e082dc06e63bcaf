// The employer's repository: folder layout, put/get rules, server and client.
#include "libcommon/net/repo.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "libcommon/core/fileio.h"
#include "libcommon/core/log.h"
#include "libcommon/core/message_io.h"
#include "libcommon/core/signatures.h"
#include "libcommon/net/chaind_height.h"
#include "libcommon/net/peer_guard.h"

namespace pot::repo {

namespace {
bool isDir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool exists(const std::string& p) { return ::access(p.c_str(), F_OK) == 0; }
}  // namespace

Status Repository::check() const {
  if (!isDir(dir_)) return Status::io("repository '" + dir_ + "' is not a directory");
  if (!isDir(dir_ + "/objects"))
    return Status::io("repository '" + dir_ + "' has no objects/ folder");
  if (!exists(dir_ + "/request"))
    return Status::io("repository '" + dir_ + "' has no request file");
  return Status::ok();
}

Result<Bytes> Repository::get(const Hash256& hash) const {
  const std::string path = objectPath(hash);
  if (!exists(path)) return Status::invalid("no object " + hash.hex());
  auto bytes = readFile(path, maxObjectBytes_);
  if (!bytes) return bytes.status();
  if (sha256(*bytes) != hash)
    return Status::io("stored object " + hash.hex() + " is damaged: its bytes hash to " +
                      sha256(*bytes).hex());
  return bytes;
}

Result<Bytes> Repository::request() const { return readFile(dir_ + "/request", maxObjectBytes_); }

Result<Hash256> Repository::put(const Bytes& bytes) {
  if (bytes.size() > maxObjectBytes_)
    return Status::malformed("object of " + std::to_string(bytes.size()) +
                             " bytes exceeds the limit of " + std::to_string(maxObjectBytes_));
  const Hash256 hash = sha256(bytes);
  // Only canonical PoT messages are objects: the hash a node computes over
  // a state file must be the hash every other node computes (DESIGN 4.3).
  ReadLimits limits;
  limits.maxBytes = maxObjectBytes_;
  auto message = decodeMessage(bytes, limits);
  if (!message) return message.status().withContext("object " + hash.hex());
  const std::string path = objectPath(hash);
  if (exists(path)) return hash;  // already stored: same hash, same bytes
  auto known = onChain_ ? onChain_(hash) : Result<bool>(false);
  if (!known) return known.status();
  if (!*known) return Status::invalid("object " + hash.hex() + " is not on chain");
  POT_TRY(writeFileAtomic(path, bytes));
  return hash;
}

Repository::OnChain allowListFile(const std::string& path) {
  struct Cache {
    std::set<Hash256> hashes;
    struct timespec mtime {};
    off_t size = -1;
  };
  auto cache = std::make_shared<Cache>();
  return [path, cache](const Hash256& hash) -> Result<bool> {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
      return Status::io("cannot open '" + path + "': " + std::strerror(errno));
    if (st.st_size != cache->size || st.st_mtim.tv_sec != cache->mtime.tv_sec ||
        st.st_mtim.tv_nsec != cache->mtime.tv_nsec) {
      std::ifstream in(path);
      std::set<Hash256> fresh;
      std::string line;
      while (std::getline(in, line)) {
        // A last line without its newline is still being appended: it
        // counts once complete (the file's size changes then).
        if (in.eof()) break;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        auto h = Hash256::fromHex(line);
        // The operator's file, not the uploader's fault: an I/O-class error,
        // so the client is not dropped for it.
        if (!h)
          return Status::io("'" + path + "' has a line that is not a hash: '" + line.substr(0, 80) +
                            "'");
        fresh.insert(*h);
      }
      cache->hashes = std::move(fresh);
      cache->mtime = st.st_mtim;
      cache->size = st.st_size;
    }
    return cache->hashes.count(hash) > 0;
  };
}

Repository::OnChain chaindOnChain(const std::string& endpoint, int timeoutMs) {
  return [endpoint, timeoutMs](const Hash256& hash) -> Result<bool> {
    auto r =
        net::request(endpoint, {net::frame("state"), Bytes(hash.bytes.begin(), hash.bytes.end())},
                     timeoutMs, 1 << 16);
    if (r) return true;
    if (r.status().code() == ExitCode::kInvalid) return false;  // not on the best chain
    return r.status().withContext("cannot ask pot-chaind");
  };
}

net::Frames handle(Repository& repo, const net::Frames& req) {
  if (req.empty()) return net::errorReply(Status::malformed("empty request"));
  const std::string verb = net::text(req[0]);
  if (verb == "get" && req.size() == 2) {
    if (net::text(req[1]) == "request") {
      auto r = repo.request();
      return r ? net::okReply({*r}) : net::errorReply(r.status());
    }
    auto hash = Hash256::fromBytes(req[1].data(), req[1].size());
    if (!hash) return net::errorReply(Status::malformed("get needs a 32-byte hash"));
    auto r = repo.get(*hash);
    return r ? net::okReply({*r}) : net::errorReply(r.status());
  }
  if (verb == "put" && req.size() == 2) {
    auto r = repo.put(req[1]);
    return r ? net::okReply({Bytes(r->bytes.begin(), r->bytes.end())})
             : net::errorReply(r.status());
  }
  return net::errorReply(Status::malformed("unknown request '" + verb.substr(0, 32) + "'"));
}

Status serve(Repository& repo, const ServeOptions& options) {
  POT_TRY(repo.check());
  net::GuardOptions g;
  g.banDuration = std::chrono::seconds(options.banSeconds);
  g.trusted = net::trustedAddresses(options.trusted);
  auto guard = net::PeerGuard::create(g);
  if (!guard) return guard.status();
  net::PeerGuard& peers = **guard;
  zmq::socket_t sock(net::context(), zmq::socket_type::router);
  sock.set(zmq::sockopt::linger, 0);
  // A put carries one object plus framing; anything larger is cut off by
  // ZeroMQ itself, which drops that connection.
  net::setMaxMessageSize(sock, options.maxObjectBytes + 64);
  peers.protect(sock);
  auto endpoint = net::bind(sock, options.bind);
  if (!endpoint) return endpoint.status();
  net::installStopHandler();
  POT_TRY(net::announceEndpoint(options.endpointFile, *endpoint));
  Logger log("pot-repo", options.quiet);
  if (!options.chaind.empty()) {
    auto height = std::make_shared<net::ChaindHeight>(options.chaind, "");
    log.setHeight([height] { return (*height)(); });
  }
  log.info("serving on " + *endpoint);
  while (!net::stopRequested()) {
    zmq::pollitem_t items[2] = {{static_cast<void*>(sock), 0, ZMQ_POLLIN, 0},
                                {static_cast<void*>(peers.handshakes()), 0, ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(200));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return Status::io(std::string("poll failed: ") + e.what());
    }
    if (items[1].revents & ZMQ_POLLIN) peers.answerHandshake();
    peers.tick();
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    net::PeerOrigin origin;
    auto frames = net::receiveFrom(sock, origin);
    if (!frames) return frames.status();
    net::Frames& f = *frames;
    if (peers.banned(origin)) {
      net::PeerGuard::disconnect(origin);  // sent before its ban took effect
      continue;
    }
    // [routing id, empty delimiter, request...]: anything else is garbage we
    // cannot even answer.
    if (f.size() < 3 || !f[1].empty()) {
      log.warn("dropped client " + origin.address + ": not a request");
      peers.drop(origin);
      continue;
    }
    net::Frames body(f.begin() + 2, f.end());
    net::Frames answer = handle(repo, body);
    // Undecodable requests and objects are garbage no honest client sends; an
    // upload not on chain yet may be an honest race, so it is only refused.
    if (answer.size() == 3 && net::text(answer[0]) == "error" &&
        net::text(answer[1]) == std::to_string(static_cast<int>(ExitCode::kMalformed))) {
      log.warn("dropped client " + origin.address + ": " + net::text(answer[2]));
      peers.drop(origin, std::chrono::milliseconds(200));  // after the reply leaves
    }
    net::Frames reply{f[0], Bytes{}};
    for (auto& r : answer) reply.push_back(std::move(r));
    (void)net::send(sock, reply);  // a client that vanished is not our failure
  }
  if (!options.endpointFile.empty()) ::unlink(options.endpointFile.c_str());
  return Status::ok();
}

Result<Bytes> fetch(const std::string& endpoint, const Hash256& hash, int timeoutMs,
                    uint64_t maxBytes) {
  auto r = net::request(endpoint, {net::frame("get"), Bytes(hash.bytes.begin(), hash.bytes.end())},
                        timeoutMs, maxBytes + 64);
  if (!r) return r.status();
  if (r->size() != 1) return Status::io("malformed reply from '" + endpoint + "'");
  Bytes& bytes = (*r)[0];
  // Never trust the server: the object is named by its hash (DESIGN 6).
  if (sha256(bytes) != hash)
    return Status::invalid("'" + endpoint + "' sent bytes hashing to " + sha256(bytes).hex() +
                           " for object " + hash.hex());
  return std::move(bytes);
}

Result<Bytes> fetchRequest(const std::string& endpoint, int timeoutMs, uint64_t maxBytes) {
  auto r =
      net::request(endpoint, {net::frame("get"), net::frame("request")}, timeoutMs, maxBytes + 64);
  if (!r) return r.status();
  if (r->size() != 1) return Status::io("malformed reply from '" + endpoint + "'");
  auto m = decodeMessage((*r)[0]);
  if (!m) return m.status().withContext("request from '" + endpoint + "'");
  POT_TRY(expectKind(**m, schema::Envelope::TRAINING_REQUEST, "request from '" + endpoint + "'"));
  if (!hasValidSignature(**m))
    return Status::invalid("request from '" + endpoint + "' has a bad employer signature");
  return std::move((*r)[0]);
}

Result<Hash256> upload(const std::string& endpoint, const Bytes& bytes, int timeoutMs) {
  auto r = net::request(endpoint, {net::frame("put"), bytes}, timeoutMs, 1024);
  if (!r) return r.status();
  const Hash256 want = sha256(bytes);
  if (r->size() != 1 || Hash256::fromBytes((*r)[0].data(), (*r)[0].size()) != want)
    return Status::io("'" + endpoint + "' did not confirm hash " + want.hex());
  return want;
}

}  // namespace pot::repo
