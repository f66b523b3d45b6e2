// Failure paths of the real binary: slow clients, storage faults, shutdown, bad configuration.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "integration/ingest_harness.h"

namespace stripehook::testing {
namespace {

TEST(FaultsTest, SlowClientIsDroppedAfterTheReadTimeout) {
  ServerFixture fx;
  ASSERT_TRUE(fx.Start("[server]\nread_timeout_ms = 300\n")) << fx.server->ReadLog();
  HttpClient slow(fx.port());
  ASSERT_TRUE(slow.Connect());
  ASSERT_TRUE(slow.SendAll("POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Le"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.PeerClosed());  // blocks until the server gives up on us
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, std::chrono::seconds(10));
  HttpClient fine(fx.port());
  EXPECT_EQ(fine.Get("/healthz").status, 200);  // the server is still serving others
  EXPECT_EQ(fx.server->Terminate(), 0);
}

TEST(FaultsTest, StorageFailureAnswers503ThenRecovers) {
  ServerFixture fx;
  std::string fault = fx.dir.File("disk-full");
  ASSERT_TRUE(fx.Start("[testing]\nstorage_fault_file = \"" + fault + "\"\n"))
      << fx.server->ReadLog();
  HttpClient client(fx.port());
  std::string before = EventBody("evt_before_fault");
  EXPECT_EQ(
      client.Request("POST", "/webhooks/stripe", before, SignedHeaders(before, UnixNow())).status,
      200);

  std::ofstream(fault) << "x";  // from now on every commit fails as on a full disk
  std::string during = EventBody("evt_during_fault");
  HttpResult r =
      client.Request("POST", "/webhooks/stripe", during, SignedHeaders(during, UnixNow()));
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("\"code\":\"unavailable\""), std::string::npos) << r.body;
  EXPECT_FALSE(r.Header("retry-after").empty());

  std::filesystem::remove(fault);
  r = client.Request("POST", "/webhooks/stripe", during, SignedHeaders(during, UnixNow()));
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("accepted"), std::string::npos) << r.body;
  DbReader db(fx.db_path);
  EXPECT_EQ(db.Count(), 2);
  EXPECT_EQ(fx.server->Terminate(), 0);
}

TEST(FaultsTest, SigtermFinishesInFlightRequestsAndExitsZero) {
  ServerFixture fx;
  ASSERT_TRUE(fx.Start());
  std::atomic<bool> stop{false};
  std::atomic<int> acked{0};
  std::vector<std::vector<std::string>> acked_ids(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client(fx.port());
      for (int i = 0; !stop.load(); ++i) {
        std::string id = "evt_term_" + std::to_string(t) + "_" + std::to_string(i);
        std::string body = EventBody(id, 1763802000, 500);
        HttpResult r =
            client.Request("POST", "/webhooks/stripe", body, SignedHeaders(body, UnixNow()));
        if (r.status == 0) break;  // server gone
        if (r.status == 200) {
          acked_ids[t].push_back(id);
          acked.fetch_add(1);
        }
      }
    });
  }
  while (acked.load() < 500) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(fx.server->Terminate(), 0) << fx.server->ReadLog();
  stop = true;
  for (auto& t : threads) t.join();
  DbReader db(fx.db_path);
  for (const auto& ids : acked_ids) {
    for (const std::string& id : ids) ASSERT_FALSE(db.Payload(id).empty()) << id;
  }
}

TEST(FaultsTest, OverTheRateLimitIs429WithRetryAfterAndStoresNothing) {
  ServerFixture fx;
  ASSERT_TRUE(
      fx.Start("[server]\nwebhook_rate_limit_per_second = 0.01\n"
               "webhook_rate_limit_burst = 2\n"))
      << fx.server->ReadLog();
  HttpClient client(fx.port());
  std::vector<int> statuses;
  std::string limited_body;
  std::string retry_after;
  for (int i = 0; i < 3; ++i) {
    std::string body = EventBody("evt_rate_" + std::to_string(i));
    HttpResult r = client.Request("POST", "/webhooks/stripe", body, SignedHeaders(body, UnixNow()));
    statuses.push_back(r.status);
    if (r.status == 429) {
      limited_body = r.body;
      retry_after = r.Header("retry-after");
    }
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 429}));
  EXPECT_NE(limited_body.find("\"code\":\"rate_limited\""), std::string::npos) << limited_body;
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GT(std::stoi(retry_after), 0);
  EXPECT_EQ(fx.server->Terminate(), 0);
  EXPECT_EQ(DbReader(fx.db_path).Count(), 2);
}

TEST(FaultsTest, BadConfigurationStopsStartupNamingTheKey) {
  TempDir dir;
  std::ofstream(dir.File("bad.toml")) << "[server]\nprot = 8080\n";
  auto [code, out] = RunStripehook({"serve", "--config", dir.File("bad.toml")},
                                   {{"STRIPE_WEBHOOK_SECRET", kSecret}});
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("server.prot"), std::string::npos) << out;

  auto [code2, out2] = RunStripehook({"serve", "--check-config"},
                                     {{"DATABASE_URL", "sqlite://" + dir.File("x.db")}});
  EXPECT_EQ(code2, 2);
  EXPECT_NE(out2.find("secret"), std::string::npos) << out2;

  auto [code3, out3] =
      RunStripehook({"serve", "--check-config"}, {{"STRIPE_WEBHOOK_SECRET", kSecret}});
  EXPECT_EQ(code3, 0) << out3;
  EXPECT_EQ(out3.find(kSecret), std::string::npos) << "check-config must redact secrets";
}

}  // namespace
}  // namespace stripehook::testing
