// The pipeline against a real SQLite store and a manual clock: processing, the retry schedule of
// failed events, dead letters, re-queueing, and rebuild == live under random delivery orders.
#include "pipeline/processor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "billing/access.h"
#include "pipeline/rebuild.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "support/lifecycle_events.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace stripehook::pipeline {
namespace {

using stripehook::testing::FixturesDir;
using stripehook::testing::TempDir;

billing::Config PlansConfig() {
  billing::Config config;
  config.plans["pro"] = billing::Plan{"pro", {"price_pro"}, {}, {}};
  config.plans["team"] = billing::Plan{"team", {"price_team"}, {}, {}};
  config.plans["enterprise"] = billing::Plan{"enterprise", {"price_enterprise"}, {}, {}};
  return config;
}

std::vector<std::string> ScenarioLines(const std::string& name) {
  std::ifstream in(FixturesDir() + "/lifecycles/" + name + ".jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

store::NewEvent ToNewEvent(const std::string& line, int64_t received_at_us) {
  return stripehook::testing::LifecycleEvent(line, received_at_us);
}

class ProcessorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetUnixSeconds(1'790'000'000);
    store::sqlite::SqliteOptions options;
    options.path = dir_.File("state.db");
    options.clock = &clock_;
    auto opened = store::sqlite::SqliteStore::Open(options);
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
  }
  void Insert(const std::string& line) {
    ASSERT_OK(store_->InsertEvent(ToNewEvent(line, clock_.NowUnixMicros())));
  }
  store::StoredEvent Get(const std::string& id) { return *store_->GetEvent(id); }
  void Drain(Processor& p) {
    for (;;) {
      auto n = p.RunOnce();
      ASSERT_OK(n);
      if (*n == 0) return;
    }
  }

  TempDir dir_;
  util::ManualClock clock_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
};

TEST_F(ProcessorTest, AppliesEventsAndCommitsStateAuditAndStatus) {
  for (const std::string& line : ScenarioLines("a_checkout_new_subscription")) Insert(line);
  Processor processor(store_.get(), &clock_, PlansConfig(), {});
  ASSERT_OK(processor.LoadState());
  Drain(processor);
  auto page = store_->ListEvents({});
  ASSERT_OK(page);
  for (const auto& e : page->events) {
    EXPECT_TRUE(e.status == store::EventStatus::kProcessed ||
                e.status == store::EventStatus::kIgnored)
        << e.event.id << " " << store::EventStatusName(e.status);
    EXPECT_EQ(e.attempts, 1);
  }
  EXPECT_GT(*store_->CountAudit(), 0);
  billing::AccessDecision live = processor.Access("user_a_1001", 1'788'256'810);
  EXPECT_TRUE(live.access) << live.reason;
  EXPECT_EQ(live.plan.value_or(""), "pro");
  // The state reloaded from the store's rows equals the one in memory.
  Processor reloaded(store_.get(), &clock_, PlansConfig(), {});
  ASSERT_OK(reloaded.LoadState());
  EXPECT_EQ(reloaded.Access("user_a_1001", 1'788'256'810), live);
}

TEST_F(ProcessorTest, FailuresRetryOnTheBackoffScheduleThenGoDead) {
  std::vector<std::string> lines = ScenarioLines("a_checkout_new_subscription");
  Insert(lines[0]);
  std::string id = ToNewEvent(lines[0], 0).id;
  int calls = 0;
  bool fail = true;
  ApplyFunction flaky = [&](const billing::Event& e, const billing::State& s,
                            const billing::Config& c) {
    ++calls;
    if (!fail) return billing::Apply(e, s, c);
    billing::ApplyResult r;
    r.outcome = billing::Outcome::kError;
    r.error = "injected failure";
    return r;
  };
  ProcessorOptions options;  // backoff 300, 600, 900; 4 attempts
  Processor processor(store_.get(), &clock_, PlansConfig(), options, flaky);
  ASSERT_OK(processor.LoadState());
  int64_t t0 = clock_.NowUnixSeconds();

  ASSERT_EQ(*processor.RunOnce(), 1);
  store::StoredEvent e = Get(id);
  EXPECT_EQ(e.status, store::EventStatus::kFailed);
  EXPECT_EQ(e.attempts, 1);
  EXPECT_EQ(e.last_error.value_or(""), "injected failure");
  EXPECT_EQ(*e.next_attempt_at_us, (t0 + 300) * 1'000'000);

  int64_t due = t0 + 300;
  for (int64_t delay : {600, 900}) {
    clock_.SetUnixSeconds(due - 1);
    EXPECT_EQ(*processor.RunOnce(), 0) << "not due one second early";
    clock_.SetUnixSeconds(due);
    EXPECT_EQ(*processor.RunOnce(), 1);
    EXPECT_EQ(Get(id).status, store::EventStatus::kFailed);
    EXPECT_EQ(*Get(id).next_attempt_at_us, (due + delay) * 1'000'000);
    due += delay;
  }
  clock_.SetUnixSeconds(due);
  EXPECT_EQ(*processor.RunOnce(), 1);
  e = Get(id);
  EXPECT_EQ(e.status, store::EventStatus::kDead);
  EXPECT_EQ(e.attempts, 4);
  EXPECT_EQ(processor.stats().dead.load(), 1);
  clock_.SetUnixSeconds(due + 100'000);
  EXPECT_EQ(*processor.RunOnce(), 0) << "dead events are not retried by themselves";
  EXPECT_EQ(calls, 4);

  fail = false;
  EXPECT_EQ(*store_->RequeueEvents(id), 1);
  EXPECT_EQ(*processor.RunOnce(), 1);
  EXPECT_EQ(Get(id).status, store::EventStatus::kProcessed);
}

// A stored payload that no longer decodes (a damaged row) fails that event, with the reason, and
// does not stop the others: a listing that met it would otherwise fail for every event behind it.
TEST_F(ProcessorTest, ADamagedPayloadFailsItsEventAndTheOthersGoOn) {
  std::vector<std::string> lines = ScenarioLines("a_checkout_new_subscription");
  ASSERT_GE(lines.size(), 3u);
  for (const std::string& line : lines) Insert(line);
  const std::string damaged = ToNewEvent(lines[1], 0).id;
  {
    auto conn = store::sqlite::Connection::Open(dir_.File("state.db"), {});
    ASSERT_OK(conn);
    // Replaces the frame's 4-byte checksum.
    ASSERT_OK(
        (*conn)->Exec("UPDATE event_payloads SET payload = "
                      "substr(payload, 1, length(payload) - 4) || X'00000000' "
                      "WHERE seq = (SELECT seq FROM events WHERE id = '" +
                      damaged + "')"));
  }
  util::StatusOr<store::StoredEvent> read = store_->GetEvent(damaged);
  ASSERT_EQ(read.status().code(), util::StatusCode::kDataLoss) << read.status().ToString();

  Processor processor(store_.get(), &clock_, PlansConfig(), {});
  ASSERT_OK(processor.LoadState());
  Drain(processor);
  auto page = store_->ListEvents({});
  ASSERT_OK(page);
  ASSERT_EQ(page->events.size(), lines.size());
  for (const auto& e : page->events) {
    if (e.event.id == damaged) {
      EXPECT_EQ(e.status, store::EventStatus::kFailed);
      EXPECT_EQ(e.attempts, 1);
      EXPECT_NE(e.last_error.value_or("").find("does not decompress"), std::string::npos)
          << e.last_error.value_or("");
      EXPECT_TRUE(e.payload_error.has_value());
      EXPECT_TRUE(e.event.payload.empty());
    } else {
      EXPECT_TRUE(e.status == store::EventStatus::kProcessed ||
                  e.status == store::EventStatus::kIgnored)
          << e.event.id << " " << store::EventStatusName(e.status);
      EXPECT_FALSE(e.payload_error.has_value());
    }
  }
  EXPECT_EQ(processor.stats().failed.load(), 1);
}

TEST_F(ProcessorTest, AnyDeliveryOrderGivesTheInOrderStateAndRebuildAgrees) {
  uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937_64 rng(seed);
  billing::Config config = PlansConfig();
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(FixturesDir() + "/lifecycles")) {
    if (entry.path().extension() == ".jsonl") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  ASSERT_EQ(names.size(), 16u);
  for (const std::string& name : names) {
    std::vector<std::string> lines = ScenarioLines(name);
    // In order, from an empty state, with the pure core: the reference.
    billing::State reference;
    for (const std::string& line : lines) {
      auto event = billing::ParseEvent(line);
      ASSERT_OK(event);
      billing::Commit(reference, billing::Apply(*event, reference, config));
    }
    for (int round = 0; round < 12; ++round) {
      TempDir dir;
      store::sqlite::SqliteOptions options;
      options.path = dir.File("s.db");
      options.clock = &clock_;
      auto store = std::move(store::sqlite::SqliteStore::Open(options)).value();
      std::vector<std::string> deliveries = lines;
      for (const std::string& line : lines) {
        if (rng() % 3 == 0) deliveries.push_back(line);
      }
      std::shuffle(deliveries.begin(), deliveries.end(), rng);
      Processor processor(store.get(), &clock_, config, {});
      ASSERT_OK(processor.LoadState());
      // Small batches interleave arrival and processing the way a live service does.
      for (size_t i = 0; i < deliveries.size(); ++i) {
        ASSERT_OK(store->InsertEvent(ToNewEvent(deliveries[i], static_cast<int64_t>(i))));
        if (rng() % 2 == 0) {
          ASSERT_OK(processor.RunOnce());
        }
      }
      while (*processor.RunOnce() > 0) {
      }
      auto live = LoadLiveState(*store);
      ASSERT_OK(live);
      EXPECT_TRUE(*live == reference) << name << " round " << round;
      auto rebuilt = RebuildState(*store, config);
      ASSERT_OK(rebuilt);
      std::vector<std::string> diff = DiffStates(*live, rebuilt->state);
      EXPECT_TRUE(diff.empty()) << name << ": " << (diff.empty() ? "" : diff[0]);
      store->Shutdown();
    }
  }
}

}  // namespace
}  // namespace stripehook::pipeline
