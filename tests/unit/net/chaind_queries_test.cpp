// pot-chaind's query table: the server's answers and refusals, the client's
// argument checks, and the JSON views' exact text.
#include "libcommon/net/chaind_queries.h"

#include <capnp/message.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "libcommon/consensus/genesis.h"
#include "libcommon/core/fileio.h"
#include "libcommon/core/json_reader.h"
#include "libcommon/core/message_io.h"

namespace pot::chaind {
namespace {

namespace fs = std::filesystem;

class ChaindQueries : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pot-chaind-queries-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto key = SigningKey::generate();
    ASSERT_TRUE(key);
    address_ = key->publicKey();
    GenesisOptions o;
    o.params = defaultChainParams();
    o.allocations.push_back({address_, 5000});
    o.timestamp = 1700000000;
    auto bytes = makeGenesis(o);
    ASSERT_TRUE(bytes) << bytes.status().message();
    ASSERT_TRUE(writeFileAtomic(dir_ + "/genesis", *bytes));
    genesisId_ = sha256(*bytes);
    auto chain = ChainStore::open(dir_ + "/db", dir_ + "/genesis", false);
    ASSERT_TRUE(chain) << chain.status().message();
    chain_ = std::move(*chain);
  }
  void TearDown() override {
    chain_.reset();
    fs::remove_all(dir_);
  }
  QueryAnswer ask(std::vector<Bytes> request) {
    QueryContext context{*chain_, nullptr, 1700000100, {}};
    return answerQuery(context, request);
  }
  std::string dir_;
  Address address_;
  Hash256 genesisId_;
  std::unique_ptr<ChainStore> chain_;
};

Bytes bytesOf(const Hash256& h) { return Bytes(h.bytes.begin(), h.bytes.end()); }

TEST_F(ChaindQueries, TipIsTheGenesisAsJson) {
  QueryAnswer a = ask({net::frame("tip")});
  ASSERT_TRUE(a.status) << a.status.message();
  ASSERT_EQ(a.payload.size(), 1u);
  auto doc = JsonDocument::parse(net::text(a.payload[0]));
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->string("id"), genesisId_.hex());
  EXPECT_EQ(doc->uint("height"), 0u);
  EXPECT_EQ(std::move(a).reply().size(), 2u);
}

TEST_F(ChaindQueries, AccountViewKeepsItsExactText) {
  QueryAnswer a = ask({net::frame("account"), bytesOf(address_)});
  ASSERT_TRUE(a.status);
  EXPECT_EQ(net::text(a.payload.at(0)), "{\"address\": \"" + address_.hex() +
                                            "\", \"exists\": true, \"balance\": \"5000\", "
                                            "\"nonce\": 0, \"ageSince\": 1700000000}");
}

TEST_F(ChaindQueries, BadRequestsAreMalformedNotFoundIsInvalid) {
  EXPECT_EQ(ask({}).status.code(), ExitCode::kMalformed);
  QueryAnswer unknown = ask({net::frame("frobnicate")});
  EXPECT_EQ(unknown.status.message(), "unknown query 'frobnicate'");
  EXPECT_EQ(unknown.status.code(), ExitCode::kMalformed);
  EXPECT_EQ(ask({net::frame("tip"), net::frame("x")}).status.message(), "unknown query 'tip'");
  EXPECT_EQ(ask({net::frame("block"), net::frame("short")}).status.message(),
            "block needs a 32-byte id");
  EXPECT_EQ(ask({net::frame("range"), net::frame("0"), net::frame("5")}).status.message(),
            "range needs FROM>=1 COUNT");
  QueryAnswer zero = ask({net::frame("block-at"), net::frame("0")});
  EXPECT_EQ(zero.status.code(), ExitCode::kInvalid);
  EXPECT_EQ(zero.status.message(), "no block at height 0");
  QueryAnswer range = ask({net::frame("range"), net::frame("1"), net::frame("5")});
  ASSERT_TRUE(range.status);
  EXPECT_TRUE(range.payload.empty());
}

TEST_F(ChaindQueries, SubmitCarriesTheRejectReason) {
  QueryAnswer a = ask({net::frame("submit"), Bytes{1, 2, 3}});
  EXPECT_EQ(a.status.code(), ExitCode::kMalformed);
  EXPECT_EQ(a.rejected, RejectReason::kMalformed);
  EXPECT_FALSE(a.imported);
}

TEST(ChaindQueryClient, ArgumentsAreCheckedByTheTable) {
  EXPECT_EQ(queryRequest({"range", "0", "5"}).status().code(), ExitCode::kUsage);
  EXPECT_EQ(queryRequest({"range", "1", "x"}).status().code(), ExitCode::kUsage);
  EXPECT_EQ(queryRequest({"account", "nothex"}).status().code(), ExitCode::kUsage);
  EXPECT_EQ(queryRequest({"tip", "extra"}).status().code(), ExitCode::kUsage);
  auto block = queryRequest({"block", std::string(64, 'a')});
  ASSERT_TRUE(block);
  EXPECT_EQ(block->at(1).size(), 32u);
  // Only the server knows what it serves: an unknown verb goes as typed.
  auto unknown = queryRequest({"frobnicate", "x"});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->size(), 2u);
  EXPECT_EQ(queryUsage().substr(0, 18), "tip | block ID | b");
}

TEST(ChaindQueryClient, SubmitAnswerPrintsAsJson) {
  Hash256 id = sha256("block");
  auto text = queryText("submit", {bytesOf(id), net::frame("tip"), net::frame("7")});
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "{\"id\": \"" + id.hex() + "\", \"status\": \"tip\", \"height\": 7}\n");
  EXPECT_EQ(*queryText("stakeholders", {net::frame("a"), net::frame("b")}), "a\nb\n");
  EXPECT_EQ(*queryText("models", {}), "\n");
  // repos is read line by line by pot-node: nothing named is no line at all.
  EXPECT_EQ(*queryText("repos", {}), "");
  EXPECT_EQ(*queryText("repos", {net::frame("tcp://10.0.0.2:7001")}), "tcp://10.0.0.2:7001\n");
}

// A request file naming `endpoints`.
Bytes requestNaming(const std::vector<std::string>& endpoints) {
  capnp::MallocMessageBuilder mb;
  auto body = mb.initRoot<schema::Envelope>().initTrainingRequest().initBody();
  body.setDescription("named repositories");
  if (!endpoints.empty()) {
    auto list = body.initRepoEndpoints(static_cast<unsigned>(endpoints.size()));
    for (size_t i = 0; i < endpoints.size(); ++i) list.set(static_cast<unsigned>(i), endpoints[i]);
  }
  return encodeMessage(mb.getRoot<schema::Envelope>().asReader());
}

TEST(NamedRepoEndpoints, InOrderDialableOnlyAndCapped) {
  EXPECT_TRUE(namedRepoEndpoints(Bytes{}).empty());  // no request bytes
  EXPECT_TRUE(namedRepoEndpoints(requestNaming({})).empty());
  const std::string tooLong = "tcp://" + std::string(300, 'a') + ":1";
  EXPECT_EQ(namedRepoEndpoints(
                requestNaming({"tcp://10.0.0.2:7001", "http://x:1", tooLong, "ipc:///run/repo"})),
            (std::vector<std::string>{"tcp://10.0.0.2:7001", "ipc:///run/repo"}));
  std::vector<std::string> many;
  for (int i = 0; i < 20; ++i) many.push_back("tcp://127.0.0.1:" + std::to_string(32100 + i));
  auto kept = namedRepoEndpoints(requestNaming(many));
  ASSERT_EQ(kept.size(), kMaxNamedRepos);
  EXPECT_EQ(kept.front(), many.front());
  EXPECT_EQ(kept.back(), many[kMaxNamedRepos - 1]);
  // The JSON view of a model lists them as well.
  EXPECT_NE(modelJson(ModelRecord{}, requestNaming({"tcp://10.0.0.2:7001"}))
                .find("\"repoEndpoints\": [\"tcp://10.0.0.2:7001\"]"),
            std::string::npos);
}

}  // namespace
}  // namespace pot::chaind
