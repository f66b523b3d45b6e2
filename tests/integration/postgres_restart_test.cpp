// The real `stripehook serve` on PostgreSQL (DATABASE_URL=postgresql://...), with the cluster
// stopped and started again under load: during the outage every answer is 503, never 200; every
// 200 is stored; the service recovers without being restarted.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "integration/ingest_harness.h"
#include "support/postgres_cluster.h"

namespace stripehook::testing {
namespace {

// What one request got, and whether it was sent and answered entirely inside the outage.
struct Outcome {
  std::string id;
  int status = 0;
  bool inside_outage = false;
};

// Clients posting unique events in a loop until stopped.
class Load {
 public:
  Load(uint16_t port, const std::atomic<int>& phase) : port_(port), phase_(phase) {}
  void Start(int clients) {
    for (int c = 0; c < clients; ++c) threads_.emplace_back([this, c] { Client(c); });
  }
  void Stop() {
    stop_ = true;
    for (std::thread& t : threads_) t.join();
  }
  int Count(int status, bool inside_outage) {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const Outcome& o : outcomes_) n += o.status == status && o.inside_outage == inside_outage;
    return n;
  }
  std::vector<Outcome> outcomes() {
    std::lock_guard<std::mutex> lock(mu_);
    return outcomes_;
  }

 private:
  void Client(int c) {
    HttpClient client(port_);
    for (int i = 0; !stop_; ++i) {
      std::string id = "evt_pg" + std::to_string(c) + "x" + std::to_string(i);
      std::string body = EventBody(id, UnixNow(), 500);
      const int phase_before = phase_.load();
      HttpResult r =
          client.Request("POST", "/webhooks/stripe", body, SignedHeaders(body, UnixNow()));
      // Phase 1 is "cluster fully stopped, not yet started again".
      const bool inside = phase_before == 1 && phase_.load() == 1;
      std::lock_guard<std::mutex> lock(mu_);
      outcomes_.push_back(Outcome{id, r.status, inside});
    }
  }

  const uint16_t port_;
  const std::atomic<int>& phase_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<Outcome> outcomes_;
};

template <typename F>
bool Eventually(F condition) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST(PostgresRestartTest, OutageAnswers503NeverAcksAndTheServiceRecoversByItself) {
  PostgresCluster cluster;
  ASSERT_TRUE(cluster.Init()) << cluster.error();
  std::string url = cluster.CreateDatabase();
  ASSERT_FALSE(url.empty()) << cluster.error();
  ServerFixture fx;
  fx.env["DATABASE_URL"] = url;
  ASSERT_TRUE(fx.Start()) << fx.server->ReadLog();

  std::atomic<int> phase{0};  // 0 up, 1 down, 2 started again
  Load load(fx.port(), phase);
  load.Start(4);
  ASSERT_TRUE(Eventually([&] { return load.Count(200, false) >= 50; }));
  ASSERT_TRUE(cluster.Stop("fast"));
  phase = 1;
  EXPECT_TRUE(Eventually([&] { return load.Count(503, true) >= 20; }));
  phase = 2;
  ASSERT_TRUE(cluster.Start()) << cluster.error();
  const int acked_before = load.Count(200, false);
  EXPECT_TRUE(Eventually([&] { return load.Count(200, false) >= acked_before + 50; }))
      << "no recovery; log:\n"
      << fx.server->ReadLog().substr(0, 4000);
  load.Stop();

  EXPECT_EQ(load.Count(200, true), 0) << "acked while PostgreSQL was down";
  std::vector<Outcome> outcomes = load.outcomes();
  int acked = 0;
  for (const Outcome& o : outcomes) {
    if (o.status != 200) continue;
    ++acked;
    EXPECT_EQ(
        PostgresCluster::QueryInt(url, "SELECT count(*) FROM events WHERE id = '" + o.id + "'"), 1)
        << o.id << " got 200 but is not stored";
    if (HasFailure()) break;
  }
  EXPECT_GE(PostgresCluster::QueryInt(url, "SELECT count(*) FROM events"), acked);
  EXPECT_EQ(fx.server->Terminate(), 0);
}

}  // namespace
}  // namespace stripehook::testing
