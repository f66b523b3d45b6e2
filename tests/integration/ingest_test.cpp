// The webhook hot path against the real binary, a real SQLite file and real sockets.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "integration/ingest_harness.h"

namespace stripehook::testing {
namespace {

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fx_.Start()) << fx_.server->ReadLog(); }
  void TearDown() override {
    if (fx_.server) {
      EXPECT_EQ(fx_.server->Terminate(), 0) << fx_.server->ReadLog();
    }
  }
  HttpResult Post(HttpClient& client, const std::string& body, int64_t ts = UnixNow()) {
    return client.Request("POST", "/webhooks/stripe", body, SignedHeaders(body, ts));
  }
  ServerFixture fx_;
};

TEST_F(IngestTest, AcceptsThenReportsDuplicateWithoutChangingThePayload) {
  HttpClient client(fx_.port());
  std::string body = EventBody("evt_first");
  HttpResult first = Post(client, body);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.body, R"({"status":"accepted","id":"evt_first"})");
  std::string altered = EventBody("evt_first", 1763802000, 10);
  HttpResult second = Post(client, altered);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, R"({"status":"duplicate","id":"evt_first"})");
  DbReader db(fx_.db_path);
  EXPECT_EQ(db.Count(), 1);
  EXPECT_EQ(db.Payload("evt_first"), body);
  EXPECT_EQ(db.Count("type = 'invoice.paid' AND object_id = 'in_first' AND source = 'webhook'"), 1);
}

TEST_F(IngestTest, AliasPathIsServed) {
  HttpClient client(fx_.port());
  std::string body = EventBody("evt_alias");
  HttpResult r =
      client.Request("POST", "/api/v1/webhooks/stripe", body, SignedHeaders(body, UnixNow()));
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(IngestTest, FiftyConnectionsSameEventStoreOneRowAndAllGet200) {
  std::string body = EventBody("evt_concurrent");
  std::vector<int> statuses(50);
  std::vector<std::string> bodies(50);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      HttpClient client(fx_.port());
      client.Connect();
      while (!go.load()) std::this_thread::yield();
      HttpResult r = Post(client, body);
      statuses[i] = r.status;
      bodies[i] = r.body;
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  int accepted = 0;
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(statuses[i], 200) << bodies[i];
    if (bodies[i].find("\"accepted\"") != std::string::npos) ++accepted;
  }
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(DbReader(fx_.db_path).Count(), 1);
}

TEST_F(IngestTest, BurstOfTenThousandDistinctEventsAllStored) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 625;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(fx_.port());
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = "evt_burst_" + std::to_string(t) + "_" + std::to_string(i);
        if (Post(client, EventBody(id, 1763802000, 1500)).status == 200) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(DbReader(fx_.db_path).Count(), kThreads * kPerThread);
}

TEST_F(IngestTest, SignatureAndPayloadErrorsAre400AndStoreNothing) {
  HttpClient client(fx_.port());
  std::string body = EventBody("evt_bad");
  struct Case {
    std::string header;
    std::string expected_code;
  };
  int64_t now = UnixNow();
  std::vector<Case> cases = {
      {"", "signature_missing"},
      {"v1=" + std::string(64, 'a'), "signature_malformed"},
      {"t=" + std::to_string(now), "signature_no_v1"},
      {stripe::SignatureHeaderFor("whsec_other", now, body), "signature_mismatch"},
      {stripe::SignatureHeaderFor(kSecret, now - 301, body), "signature_expired"},
  };
  for (const Case& c : cases) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!c.header.empty()) headers.emplace_back("Stripe-Signature", c.header);
    HttpResult r = client.Request("POST", "/webhooks/stripe", body, headers);
    EXPECT_EQ(r.status, 400) << c.header;
    EXPECT_NE(r.body.find("\"code\":\"" + c.expected_code + "\""), std::string::npos) << r.body;
  }
  for (const std::string& bad : {std::string("not json"), std::string("[1,2]"),
                                 std::string(R"({"id":"evt_x","object":"customer"})"),
                                 std::string(R"({"id":"evt_x","object":"event","created":1})")}) {
    HttpResult r = Post(client, bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("\"code\":\"invalid_payload\""), std::string::npos) << r.body;
  }
  EXPECT_EQ(DbReader(fx_.db_path).Count(), 0);
}

TEST_F(IngestTest, OversizedBodyIs413) {
  HttpClient client(fx_.port());
  std::string body = EventBody("evt_huge", 1763802000, 2 * 1024 * 1024);
  HttpResult r = Post(client, body);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("payload_too_large"), std::string::npos) << r.body;
  EXPECT_EQ(DbReader(fx_.db_path).Count(), 0);
}

TEST_F(IngestTest, HealthAndReadiness) {
  HttpClient client(fx_.port());
  EXPECT_EQ(client.Get("/healthz").status, 200);
  EXPECT_EQ(client.Get("/readyz").status, 200);
  HttpResult missing = client.Get("/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("\"error\""), std::string::npos);
}

TEST_F(IngestTest, LogsNeverCarrySecretsSignaturesOrPayloads) {
  HttpClient client(fx_.port());
  std::string body = EventBody("evt_logged");
  std::string header = stripe::SignatureHeaderFor(kSecret, UnixNow(), body);
  client.Request("POST", "/webhooks/stripe", body, {{"Stripe-Signature", header}});
  client.Request("POST", "/webhooks/stripe", body, {{"Stripe-Signature", header + "0"}});
  EXPECT_EQ(fx_.server->Terminate(), 0);
  std::string log = fx_.server->ReadLog();
  EXPECT_NE(log.find("evt_logged"), std::string::npos);
  EXPECT_EQ(log.find(kSecret), std::string::npos);
  EXPECT_EQ(log.find(header.substr(header.find("v1=") + 3)), std::string::npos);
  EXPECT_EQ(log.find("xxxxxxxxxx"), std::string::npos);
  fx_.server.reset();
}

}  // namespace
}  // namespace stripehook::testing
