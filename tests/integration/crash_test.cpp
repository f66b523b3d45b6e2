// Crash safety: SIGKILL under load must never lose an event that was acknowledged with 200.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "integration/ingest_harness.h"

namespace stripehook::testing {
namespace {

TEST(CrashTest, EveryAcknowledgedEventSurvivesSigkill) {
  ServerFixture fx;
  std::mt19937 rng(std::random_device{}());
  std::vector<std::string> acked;
  std::mutex mu;
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(fx.Start()) << fx.server->ReadLog();
    int kill_after = std::uniform_int_distribution<int>(50, 3000)(rng);
    std::atomic<int> round_acks{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        HttpClient client(fx.port());
        for (int i = 0; !stop.load(); ++i) {
          std::string id = "evt_crash_r" + std::to_string(round) + "_" + std::to_string(t) + "_" +
                           std::to_string(i);
          std::string body = EventBody(id, 1763802000, 1200);
          HttpResult r =
              client.Request("POST", "/webhooks/stripe", body, SignedHeaders(body, UnixNow()));
          if (r.status == 0) return;  // killed
          if (r.status == 200) {
            std::lock_guard<std::mutex> lock(mu);
            acked.push_back(id);
            round_acks.fetch_add(1);
          }
        }
      });
    }
    while (round_acks.load() < kill_after) std::this_thread::yield();
    fx.server->Kill();  // SIGKILL: no shutdown path runs
    stop = true;
    for (auto& t : threads) t.join();
    std::cout << "round " << round << ": killed after " << round_acks.load() << " acks\n";
  }
  // Restart once more so the store recovers its WAL, then check every acknowledged id.
  ASSERT_TRUE(fx.Start()) << fx.server->ReadLog();
  EXPECT_EQ(fx.server->Terminate(), 0);
  DbReader db(fx.db_path);
  int64_t rows = db.Count();
  EXPECT_GE(rows, static_cast<int64_t>(acked.size()));
  size_t missing = 0;
  for (const std::string& id : acked) {
    if (db.Payload(id).empty()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged events";
}

}  // namespace
}  // namespace stripehook::testing
