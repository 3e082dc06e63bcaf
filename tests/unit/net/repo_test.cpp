// The employer's repository: put/get rules, damaged files, concurrent puts, garbage requests.
#include "libcommon/net/repo.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "libcommon/core/message_io.h"

namespace {

namespace fs = std::filesystem;

pot::Bytes state(uint32_t stage) {
  capnp::MallocMessageBuilder m;
  auto s = m.initRoot<pot::schema::Envelope>().initModelState();
  s.setArchitecture("mlp:4-2");
  s.setStage(stage);
  auto p = s.initParameters(1);
  p[0].setName("w");
  p[0].initShape(1).set(0, 2);
  p[0].setData(kj::arrayPtr(reinterpret_cast<const capnp::byte*>("abcdefgh"), 8));
  return pot::encodeMessage(m.getRoot<pot::schema::Envelope>().asReader());
}

class RepoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pot-repo-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ + "/objects");
    std::ofstream(dir_ + "/request") << "x";
    allow_ = dir_ + "/allow";
    std::ofstream(allow_) << "# on chain\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  void allow(const pot::Hash256& h) { std::ofstream(allow_, std::ios::app) << h.hex() << "\n"; }
  std::string dir_, allow_;
};

TEST_F(RepoTest, PutNeedsHashOnChainThenGetReturnsSameBytes) {
  pot::repo::Repository repo(dir_, 1 << 20, pot::repo::allowListFile(allow_));
  ASSERT_TRUE(repo.check());
  auto s1 = state(1);
  auto refused = repo.put(s1);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), pot::ExitCode::kInvalid);
  EXPECT_NE(refused.status().message().find("not on chain"), std::string::npos);
  EXPECT_FALSE(fs::exists(repo.objectPath(pot::sha256(s1))));
  allow(pot::sha256(s1));  // the allow-list is re-read when it changes
  auto put = repo.put(s1);
  ASSERT_TRUE(put) << put.status().message();
  EXPECT_EQ(*put, pot::sha256(s1));
  auto got = repo.get(*put);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, s1);
}

TEST_F(RepoTest, AlreadyStoredObjectIsAcceptedWithoutChain) {
  auto s2 = state(2);
  std::ofstream(dir_ + "/objects/" + pot::sha256(s2).hex(), std::ios::binary)
      .write(reinterpret_cast<const char*>(s2.data()), static_cast<std::streamsize>(s2.size()));
  pot::repo::Repository repo(dir_, 1 << 20, {});
  EXPECT_TRUE(repo.put(s2));
  EXPECT_FALSE(repo.put(state(3)));
}

TEST_F(RepoTest, GarbageAndOversizedPutsAreRefusedAndStoreUnchanged) {
  pot::repo::Repository repo(dir_, 64, pot::repo::allowListFile(allow_));
  pot::Bytes junk{1, 2, 3, 4, 5, 6, 7, 8, 9};
  allow(pot::sha256(junk));
  auto r = repo.put(junk);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  auto big = state(1);
  allow(pot::sha256(big));
  r = repo.put(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().code(), pot::ExitCode::kMalformed);
  EXPECT_TRUE(fs::is_empty(dir_ + "/objects"));
}

TEST_F(RepoTest, DamagedObjectIsNotServed) {
  pot::repo::Repository repo(dir_, 1 << 20, pot::repo::allowListFile(allow_));
  auto s1 = state(1);
  allow(pot::sha256(s1));
  ASSERT_TRUE(repo.put(s1));
  std::ofstream(repo.objectPath(pot::sha256(s1)), std::ios::binary) << "rotten";
  auto got = repo.get(pot::sha256(s1));
  ASSERT_FALSE(got);
  EXPECT_EQ(got.status().code(), pot::ExitCode::kIo);
  EXPECT_EQ(repo.get(pot::sha256(state(9))).status().code(), pot::ExitCode::kInvalid);
}

TEST_F(RepoTest, ConcurrentPutsOfOneStateAreHarmless) {
  auto s1 = state(1);
  allow(pot::sha256(s1));
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      pot::repo::Repository repo(dir_, 1 << 20, pot::repo::allowListFile(allow_));
      for (int k = 0; k < 20; ++k)
        if (repo.put(s1)) ++ok;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 160);
  pot::repo::Repository repo(dir_, 1 << 20, {});
  EXPECT_EQ(*repo.get(pot::sha256(s1)), s1);
  size_t files = 0;
  for (auto& e : fs::directory_iterator(dir_ + "/objects")) (void)e, ++files;
  EXPECT_EQ(files, 1u);  // no temp files left behind
}

TEST_F(RepoTest, HandleRefusesMalformedRequests) {
  pot::repo::Repository repo(dir_, 1 << 20, {});
  using pot::net::frame;
  for (const auto& req : std::vector<pot::net::Frames>{{},
                                                       {frame("get")},
                                                       {frame("get"), frame("short")},
                                                       {frame("drop"), frame("x")},
                                                       {frame("put"), frame("x"), frame("y")}}) {
    auto reply = pot::repo::handle(repo, req);
    ASSERT_EQ(reply.size(), 3u);
    EXPECT_EQ(pot::net::text(reply[0]), "error");
    EXPECT_EQ(pot::net::text(reply[1]), "3");
  }
  auto reply = pot::repo::handle(repo, {frame("get"), frame("request")});
  ASSERT_EQ(reply.size(), 2u);
  EXPECT_EQ(pot::net::text(reply[1]), "x");
}

TEST(NetEndpoint, ChecksShape) {
  EXPECT_TRUE(pot::net::checkEndpoint("tcp://127.0.0.1:5555", false));
  EXPECT_TRUE(pot::net::checkEndpoint("tcp://127.0.0.1:*", true));
  EXPECT_FALSE(pot::net::checkEndpoint("tcp://127.0.0.1:*", false));
  EXPECT_FALSE(pot::net::checkEndpoint("tcp://127.0.0.1:99999", false));
  EXPECT_FALSE(pot::net::checkEndpoint("udp://x:1", false));
  EXPECT_FALSE(pot::net::checkEndpoint("tcp://127.0.0.1", false));
  EXPECT_TRUE(pot::net::checkEndpoint("ipc:///tmp/x", true));
}

}  // namespace
