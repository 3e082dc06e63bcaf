// LMDB layer: transactions, not-found, growth, schema record, damaged files.
#include "libcommon/store/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace {

namespace fs = std::filesystem;
using pot::store::Env;
using pot::store::EnvOptions;
using pot::store::Slice;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pot-store-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }
  EnvOptions options(bool readOnly = false) {
    EnvOptions o;
    o.schemaName = "store-test";
    o.schemaVersion = 3;
    o.databases = {"blocks", "heights"};
    o.readOnly = readOnly;
    return o;
  }
  std::string dir_;
};

TEST_F(StoreTest, PutCommitGetAndNotFound) {
  auto env = Env::open(dir_, options());
  ASSERT_TRUE(env) << env.status().message();
  ASSERT_TRUE((*env)->update([](pot::store::Txn& t) { return t.put("blocks", "k1", "v1"); }));
  auto r = (*env)->beginRead();
  ASSERT_TRUE(r);
  auto v = r->get("blocks", "k1");
  ASSERT_TRUE(v);
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(std::string((*v)->begin(), (*v)->end()), "v1");
  auto missing = r->get("blocks", "nope");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  // Databases are separate key spaces.
  auto other = r->get("heights", "k1");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_value());
}

TEST_F(StoreTest, UncommittedWriteIsAbortedByDestructor) {
  auto env = Env::open(dir_, options());
  ASSERT_TRUE(env);
  {
    auto w = (*env)->beginWrite();
    ASSERT_TRUE(w);
    ASSERT_TRUE(w->put("blocks", "k", "v"));
  }
  auto r = (*env)->beginRead();
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->get("blocks", "k")->has_value());
}

TEST_F(StoreTest, FailedBodyCommitsNothing) {
  auto env = Env::open(dir_, options());
  ASSERT_TRUE(env);
  auto s = (*env)->update([](pot::store::Txn& t) {
    POT_TRY(t.put("blocks", "k", "v"));
    return pot::Status::invalid("refused");
  });
  EXPECT_EQ(s.code(), pot::ExitCode::kInvalid);
  EXPECT_FALSE((*env)->beginRead()->get("blocks", "k")->has_value());
}

TEST_F(StoreTest, ScanIsOrderedFromKeyAndLastIsHighest) {
  auto env = Env::open(dir_, options());
  ASSERT_TRUE(env);
  ASSERT_TRUE((*env)->update([](pot::store::Txn& t) {
    for (const char* k : {"c", "a", "d", "b"}) POT_TRY(t.put("heights", k, k));
    return pot::Status::ok();
  }));
  auto r = (*env)->beginRead();
  std::string seen;
  ASSERT_TRUE(r->scan("heights", "b", [&](Slice k, Slice) {
    seen.append(static_cast<const char*>(k.data), k.size);
    return seen.size() < 2;
  }));
  EXPECT_EQ(seen, "bc");
  auto last = r->last("heights");
  ASSERT_TRUE(last && last->has_value());
  EXPECT_EQ((*last)->first, pot::Bytes{'d'});
  EXPECT_FALSE(r->last("blocks")->has_value());
}

TEST_F(StoreTest, DeleteReportsWhetherKeyExisted) {
  auto env = Env::open(dir_, options());
  ASSERT_TRUE((*env)->update([](pot::store::Txn& t) { return t.put("blocks", "k", "v"); }));
  ASSERT_TRUE((*env)->update([](pot::store::Txn& t) -> pot::Status {
    auto a = t.del("blocks", "k");
    auto b = t.del("blocks", "k");
    if (!a || !*a || !b || *b) return pot::Status::internal("wrong del result");
    return pot::Status::ok();
  }));
}

TEST_F(StoreTest, MapGrowsWhenFull) {
  auto o = options();
  o.initialMapSize = 1 << 20;
  auto env = Env::open(dir_, o);
  ASSERT_TRUE(env);
  const uint64_t before = (*env)->mapSize();
  pot::Bytes big(256 << 10, 0xab);
  int runs = 0;
  // 8 MiB in one transaction cannot fit in 1 MiB: update must grow and retry.
  ASSERT_TRUE((*env)->update([&](pot::store::Txn& t) {
    ++runs;
    for (int i = 0; i < 32; ++i) POT_TRY(t.put("blocks", std::to_string(i), big));
    return pot::Status::ok();
  }));
  EXPECT_GT(runs, 1);
  EXPECT_GT((*env)->mapSize(), before);
  auto v = (*env)->beginRead()->get("blocks", "31");
  ASSERT_TRUE(v && v->has_value());
  EXPECT_EQ(**v, big);
}

TEST_F(StoreTest, DataSurvivesReopenAndReadOnlyOpenSeesIt) {
  {
    auto env = Env::open(dir_, options());
    ASSERT_TRUE((*env)->update([](pot::store::Txn& t) { return t.put("blocks", "k", "v"); }));
  }
  auto ro = Env::open(dir_, options(true));
  ASSERT_TRUE(ro) << ro.status().message();
  EXPECT_TRUE((*ro)->beginRead()->get("blocks", "k")->has_value());
  EXPECT_FALSE((*ro)->beginWrite());
}

TEST_F(StoreTest, ReadOnlyOpenOfMissingStoreFails) {
  auto ro = Env::open(dir_ + "/absent", options(true));
  ASSERT_FALSE(ro);
  EXPECT_EQ(ro.status().code(), pot::ExitCode::kIo);
}

TEST_F(StoreTest, SchemaVersionMismatchIsRefused) {
  ASSERT_TRUE(Env::open(dir_, options()));
  auto o = options();
  o.schemaVersion = 4;
  auto env = Env::open(dir_, o);
  ASSERT_FALSE(env);
  EXPECT_EQ(env.status().code(), pot::ExitCode::kIo);
  EXPECT_NE(env.status().message().find("version 3, expected schema 'store-test' version 4"),
            std::string::npos)
      << env.status().message();
  o = options();
  o.schemaName = "other";
  EXPECT_FALSE(Env::open(dir_, o));
}

TEST_F(StoreTest, DamagedFileIsRefusedNotCrashed) {
  ASSERT_TRUE(Env::open(dir_, options()));
  const std::string data = dir_ + "/data.mdb";
  ASSERT_TRUE(fs::exists(data));
  {
    // Overwrite both meta pages: LMDB must say "not an LMDB file".
    std::fstream f(data, std::ios::in | std::ios::out | std::ios::binary);
    std::string junk(8192, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto env = Env::open(dir_, options());
  ASSERT_FALSE(env);
  EXPECT_EQ(env.status().code(), pot::ExitCode::kIo);
  // A truncated file is refused as well.
  fs::resize_file(data, 100);
  EXPECT_FALSE(Env::open(dir_, options()));
}

TEST_F(StoreTest, NoSchemaRecordOnDataIsRefused) {
  {
    EnvOptions o = options();
    o.schemaName = "x";
    ASSERT_TRUE(Env::open(dir_, o));
  }
  // A store made with another layout (another database set) is refused.
  EnvOptions o = options(true);
  o.databases = {"blocks", "unknown"};
  auto env = Env::open(dir_, o);
  ASSERT_FALSE(env);
}

}  // namespace
