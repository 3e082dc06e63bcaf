// Dropping peers: the ban list's bounds and expiry, and a real ROUTER on
// loopback whose guard closes a peer's connection and refuses its reconnect.
#include "libcommon/net/peer_guard.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace {

using namespace std::chrono_literals;
using pot::net::BanList;

TEST(BanList, BansUntilTheDurationEnds) {
  BanList bans(10, 1000ms);
  const auto t0 = pot::net::SteadyClock::now();
  bans.ban("10.0.0.1", t0);
  EXPECT_TRUE(bans.banned("10.0.0.1", t0 + 999ms));
  EXPECT_FALSE(bans.banned("10.0.0.2", t0));
  EXPECT_FALSE(bans.banned("10.0.0.1", t0 + 1000ms));
  EXPECT_EQ(bans.size(), 0u) << "an ended ban is forgotten";
}

TEST(BanList, StaysBoundedDroppingTheBanThatEndsFirst) {
  BanList bans(3, 1000ms);
  const auto t0 = pot::net::SteadyClock::now();
  for (int i = 0; i < 3; ++i) bans.ban("10.0.0." + std::to_string(i), t0 + i * 1ms);
  bans.ban("10.0.0.9", t0 + 5ms);
  EXPECT_EQ(bans.size(), 3u);
  EXPECT_FALSE(bans.banned("10.0.0.0", t0 + 6ms));
  EXPECT_TRUE(bans.banned("10.0.0.1", t0 + 6ms));
  EXPECT_TRUE(bans.banned("10.0.0.9", t0 + 6ms));
  // Expired bans make room before a live one is evicted.
  bans.ban("10.0.0.7", t0 + 1003ms);
  EXPECT_TRUE(bans.banned("10.0.0.9", t0 + 1003ms));
  EXPECT_TRUE(bans.banned("10.0.0.7", t0 + 1003ms));
}

TEST(BanList, IgnoresTheEmptyAddressOfLocalPeers) {
  BanList bans(3, 1000ms);
  bans.ban("", pot::net::SteadyClock::now());
  EXPECT_EQ(bans.size(), 0u);
}

// One round of the guarded server loop: answers handshakes, then returns the
// next message and where it came from, if one arrives in time.
struct Server {
  std::unique_ptr<pot::net::PeerGuard> guard;
  zmq::socket_t router{pot::net::context(), zmq::socket_type::router};
  std::string endpoint;

  Server() {
    pot::net::GuardOptions o;
    o.banDuration = 60s;
    auto g = pot::net::PeerGuard::create(o);
    EXPECT_TRUE(g) << g.status().message();
    guard = std::move(*g);
    router.set(zmq::sockopt::linger, 0);
    guard->protect(router);
    auto ep = pot::net::bind(router, "tcp://127.0.0.1:*");
    EXPECT_TRUE(ep);
    endpoint = *ep;
  }

  std::optional<pot::net::Frames> next(pot::net::PeerOrigin& origin, int waitMs) {
    const auto until = pot::net::SteadyClock::now() + std::chrono::milliseconds(waitMs);
    while (pot::net::SteadyClock::now() < until) {
      zmq::pollitem_t items[2] = {{static_cast<void*>(router), 0, ZMQ_POLLIN, 0},
                                  {static_cast<void*>(guard->handshakes()), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, 20ms);
      if (items[1].revents & ZMQ_POLLIN) guard->answerHandshake();
      guard->tick();
      if (items[0].revents & ZMQ_POLLIN) {
        auto f = pot::net::receiveFrom(router, origin);
        if (f && !f->empty()) return *f;
      }
    }
    return std::nullopt;
  }

  std::string from(const std::string& ip) const {
    return "tcp://" + ip + ":0;" + endpoint.substr(6);
  }
};

// A client socket with a monitor, to see its connection closed and refused.
struct Client {
  zmq::socket_t socket{pot::net::context(), zmq::socket_type::dealer};
  zmq::socket_t monitor{pot::net::context(), zmq::socket_type::pair};

  explicit Client(const std::string& endpoint) {
    static int n = 0;
    const std::string mon = "inproc://peer-guard-monitor-" + std::to_string(n++);
    socket.set(zmq::sockopt::linger, 0);
    zmq_socket_monitor(socket.handle(), mon.c_str(),
                       ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    monitor.connect(mon);
    socket.connect(endpoint);
  }

  // Waits for a monitor event while the server keeps running.
  bool sawEvent(Server& server, uint16_t event, int waitMs) {
    const auto until = pot::net::SteadyClock::now() + std::chrono::milliseconds(waitMs);
    while (pot::net::SteadyClock::now() < until) {
      pot::net::PeerOrigin ignored;
      (void)server.next(ignored, 20);
      zmq::message_t ev, addr;
      if (!monitor.recv(ev, zmq::recv_flags::dontwait)) continue;
      (void)monitor.recv(addr);
      uint16_t got = 0;
      std::memcpy(&got, ev.data(), sizeof got);
      if (got == event) return true;
    }
    return false;
  }
};

TEST(PeerGuard, DropClosesTheConnectionAndRefusesTheReconnect) {
  Server server;
  Client bad(server.from("127.0.0.2"));
  Client good(server.endpoint);
  ASSERT_TRUE(bad.socket.send(zmq::str_buffer("garbage")));
  pot::net::PeerOrigin origin;
  auto got = server.next(origin, 3000);
  ASSERT_TRUE(got);
  EXPECT_EQ(origin.address, "127.0.0.2");
  EXPECT_GE(origin.fd, 0);

  server.guard->drop(origin);
  EXPECT_TRUE(server.guard->banned(origin));
  EXPECT_TRUE(bad.sawEvent(server, ZMQ_EVENT_DISCONNECTED, 3000)) << "connection left open";
  // libzmq redials on its own; the guard refuses the handshake.
  EXPECT_TRUE(bad.sawEvent(server, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 3000));
  EXPECT_GE(server.guard->refusedHandshakes(), 1u);

  // Another address is still served.
  ASSERT_TRUE(good.socket.send(zmq::str_buffer("hello")));
  pot::net::PeerOrigin goodOrigin;
  got = server.next(goodOrigin, 3000);
  ASSERT_TRUE(got);
  EXPECT_EQ(goodOrigin.address, "127.0.0.1");
  EXPECT_EQ(pot::net::text(got->back()), "hello");
  EXPECT_FALSE(server.guard->banned(goodOrigin));
}

TEST(PeerGuard, TrustedAddressIsDisconnectedButNotBanned) {
  Server server;  // trusts 127.0.0.1 and ::1 by default: the node's own tools
  Client local(server.endpoint);
  ASSERT_TRUE(local.socket.send(zmq::str_buffer("typo")));
  pot::net::PeerOrigin origin;
  ASSERT_TRUE(server.next(origin, 3000));
  EXPECT_TRUE(server.guard->trusted(origin));
  server.guard->drop(origin);
  EXPECT_FALSE(server.guard->banned(origin));
  EXPECT_EQ(server.guard->bans().size(), 0u);
  EXPECT_TRUE(local.sawEvent(server, ZMQ_EVENT_DISCONNECTED, 3000));
  // libzmq redials and is let in.
  ASSERT_TRUE(local.socket.send(zmq::str_buffer("again")));
  auto got = server.next(origin, 3000);
  ASSERT_TRUE(got);
  EXPECT_EQ(pot::net::text(got->back()), "again");
  EXPECT_EQ(server.guard->refusedHandshakes(), 0u);
}

TEST(PeerGuard, IpcPeersAreLocalNeverBanned) {
  pot::net::GuardOptions o;
  o.trusted = {};
  auto guard = pot::net::PeerGuard::create(o);
  ASSERT_TRUE(guard);
  zmq::socket_t router(pot::net::context(), zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  (*guard)->protect(router);
  const std::string ep = "ipc://" + testing::TempDir() + "peer-guard-" + std::to_string(::getpid());
  ASSERT_TRUE(pot::net::bind(router, ep));
  zmq::socket_t client(pot::net::context(), zmq::socket_type::dealer);
  client.set(zmq::sockopt::linger, 0);
  client.connect(ep);
  ASSERT_TRUE(client.send(zmq::str_buffer("hi")));
  pot::net::PeerOrigin origin;
  for (int i = 0; i < 150; ++i) {
    zmq::pollitem_t items[2] = {{static_cast<void*>(router), 0, ZMQ_POLLIN, 0},
                                {static_cast<void*>((*guard)->handshakes()), 0, ZMQ_POLLIN, 0}};
    zmq::poll(items, 2, 20ms);
    if (items[1].revents & ZMQ_POLLIN) (*guard)->answerHandshake();
    if (items[0].revents & ZMQ_POLLIN) {
      auto f = pot::net::receiveFrom(router, origin);
      ASSERT_TRUE(f);
      break;
    }
  }
  EXPECT_TRUE(origin.local);
  EXPECT_EQ(origin.address, "");
  (*guard)->drop(origin);
  EXPECT_FALSE((*guard)->banned(origin));
  EXPECT_EQ((*guard)->bans().size(), 0u);
}

TEST(PeerGuard, DisconnectLeavesAnotherAddressAlone) {
  Server server;
  Client good(server.endpoint);
  ASSERT_TRUE(good.socket.send(zmq::str_buffer("one")));
  pot::net::PeerOrigin origin;
  ASSERT_TRUE(server.next(origin, 3000));
  // A stale origin whose descriptor now leads elsewhere is not shut.
  pot::net::PeerOrigin stale = origin;
  stale.address = "127.0.0.9";
  pot::net::PeerGuard::disconnect(stale);
  ASSERT_TRUE(good.socket.send(zmq::str_buffer("two")));
  auto got = server.next(origin, 3000);
  ASSERT_TRUE(got);
  EXPECT_EQ(pot::net::text(got->back()), "two");
  EXPECT_FALSE(good.sawEvent(server, ZMQ_EVENT_DISCONNECTED, 300));
}

}  // namespace

namespace {

TEST(TrustedAddresses, ThisMachineAndTheOnesGiven) {
  auto has = [](const std::vector<std::string>& v, const std::string& a) {
    return std::find(v.begin(), v.end(), a) != v.end();
  };
  auto byDefault = pot::net::trustedAddresses({});
  EXPECT_TRUE(has(byDefault, "127.0.0.1"));
  EXPECT_TRUE(has(byDefault, "::1"));
  EXPECT_FALSE(has(byDefault, "127.0.0.2")) << "only an interface's own address is this machine";
  auto more = pot::net::trustedAddresses({"10.1.2.3"});
  EXPECT_TRUE(has(more, "10.1.2.3"));
  EXPECT_TRUE(has(more, "127.0.0.1"));
  EXPECT_TRUE(pot::net::trustedAddresses({"none"}).empty());
}

}  // namespace
