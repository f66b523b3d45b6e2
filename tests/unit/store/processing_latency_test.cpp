// Hand-run latency of CommitProcessing for a pipeline-sized batch (no timing assertions: CI
// machines vary).
//   store_test --gtest_also_run_disabled_tests --gtest_filter='*CommitLatency*'
// STRIPEHOOK_BENCH_DIR picks the directory (default: a temporary one); the disk matters.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "store/processing.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store {
namespace {

constexpr int kBatch = 256;
constexpr int kRounds = 40;
constexpr int kDistinctRecords = 5000;  // later rounds update records earlier rounds created

// What processing `kBatch` events typically writes: one record upsert, one audit row and one
// status update per event, and a notification for every fourth.
ProcessingCommit BatchCommit(int round) {
  ProcessingCommit commit;
  const std::string doc(900, 'd');
  const std::string change(1400, 'c');
  for (int i = 0; i < kBatch; ++i) {
    const std::string id = "evt_" + std::to_string(round) + "_" + std::to_string(i);
    const std::string key = "sub_" + std::to_string((round * kBatch + i) % kDistinctRecords);
    commit.records.push_back(RecordWrite{"subscriptions", key, doc});
    commit.audit.push_back(AuditRow{id, "subscriptions", key, change, 1});
    if (i % 4 == 0) commit.outbox.push_back(OutboxRow{id, "access.changed", "u", doc, 1});
    EventStatusUpdate update;
    update.id = id;
    update.attempts = 1;
    update.processed_at_us = 1;
    commit.events.push_back(update);
  }
  return commit;
}

double Millis(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void Print(const char* what, std::vector<double>& ms) {
  std::sort(ms.begin(), ms.end());
  std::printf("%s: median %.2f ms, p90 %.2f ms, max %.2f ms over %zu rounds\n", what,
              ms[ms.size() / 2], ms[ms.size() * 9 / 10], ms.back(), ms.size());
}

// Inserts the events the round's commit will update; returns after they are durable.
void InsertRound(sqlite::SqliteStore& store, int round) {
  for (int i = 0; i < kBatch; ++i) {
    NewEvent e = testing::MakeEvent("evt_" + std::to_string(round) + "_" + std::to_string(i));
    e.payload.append(3000, 'p');
    store.InsertEventAsync(std::move(e), [](util::StatusOr<InsertOutcome>) {});
  }
  // The writer commits in queue order: once this one is durable, so are the others.
  EXPECT_OK(store.InsertEvent(testing::MakeEvent("evt_fence_" + std::to_string(round))));
}

TEST(ProcessingLatencyTest, DISABLED_CommitLatency) {
  stripehook::testing::TempDir tmp;
  const char* dir = std::getenv("STRIPEHOOK_BENCH_DIR");
  sqlite::SqliteOptions options;
  options.path = std::string(dir ? dir : tmp.path().c_str()) + "/latency.db";
  ASSERT_OK_AND_ASSIGN(auto store, sqlite::SqliteStore::Open(options));
  std::vector<double> full, single;
  for (int round = 0; round < kRounds; ++round) {
    InsertRound(*store, round);
    ProcessingCommit commit = BatchCommit(round);
    // The baseline: a commit of one status update costs about one fsync.
    ProcessingCommit one;
    one.events.push_back(commit.events.back());
    auto start = std::chrono::steady_clock::now();
    ASSERT_OK(store->CommitProcessing(std::move(one)));
    single.push_back(Millis(start));
    start = std::chrono::steady_clock::now();
    ASSERT_OK(store->CommitProcessing(std::move(commit)));
    full.push_back(Millis(start));
  }
  std::printf("batch of %d events: %d upserts, %d audit, %d outbox, %d status updates\n", kBatch,
              kBatch, kBatch, kBatch / 4, kBatch);
  Print("CommitProcessing, full batch", full);
  Print("CommitProcessing, one status update", single);
}

}  // namespace
}  // namespace stripehook::store
