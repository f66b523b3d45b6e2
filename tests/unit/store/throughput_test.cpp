// Hand-run throughput measurement of durable inserts (no timing assertions: CI machines vary).
//   store_test --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
// STRIPEHOOK_BENCH_DIR picks the directory (default: a temporary one); the disk matters.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store {
namespace {

using sqlite::SqliteStore;

constexpr int kPayloadBytes = 3000;

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}
const int kSubmitters = EnvInt("STRIPEHOOK_BENCH_SUBMITTERS", 64);
const int kPerSubmitter = EnvInt("STRIPEHOOK_BENCH_EVENTS", 96000) / kSubmitters;

std::string RandomToken(std::mt19937_64& rng, int length) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  for (int i = 0; i < length; ++i) out += kAlphabet[rng() % 62];
  return out;
}

// SQLite does not compress, so one random body per submitter is as costly to store as many.
NewEvent BenchEvent(std::mt19937_64& rng, const std::string& body) {
  NewEvent e = testing::MakeEvent("evt_1" + RandomToken(rng, 23));
  e.object_id = "sub_1" + RandomToken(rng, 23);
  e.payload = R"({"id":")" + e.id + R"(","data":")" + body + R"("})";
  return e;
}

// Each submitter waits for its acknowledgement before sending the next, as an HTTP handler does.
double MeasureInsertsPerSecond(SqliteStore& store) {
  std::vector<std::thread> threads;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < kSubmitters; ++t) {
    threads.emplace_back([&store, t] {
      std::mt19937_64 rng(t * 7919 + std::random_device()());
      const std::string body = RandomToken(rng, kPayloadBytes - 50);
      for (int i = 0; i < kPerSubmitter; ++i) {
        util::StatusOr<InsertOutcome> r = store.InsertEvent(BenchEvent(rng, body));
        EXPECT_TRUE(r.ok() && *r == InsertOutcome::kInserted) << r.status().ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return kSubmitters * kPerSubmitter / seconds;
}

// The writer alone: every event is built first, then queued at once, so batches are full.
double MeasureWriterOnly(SqliteStore& store, int count) {
  std::mt19937_64 rng(std::random_device{}());
  const std::string body = RandomToken(rng, kPayloadBytes - 50);
  std::vector<NewEvent> events;
  for (int i = 0; i < count; ++i) events.push_back(BenchEvent(rng, body));
  std::latch done(count);
  auto start = std::chrono::steady_clock::now();
  for (NewEvent& e : events) {
    store.InsertEventAsync(std::move(e), [&done](util::StatusOr<InsertOutcome> r) {
      EXPECT_TRUE(r.ok());
      done.count_down();
    });
  }
  done.wait();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return count / seconds;
}

// Fills the database with `rows` 3 KB events in one unjournaled transaction: fast setup only.
void BulkLoad(const std::string& path, int64_t rows) {
  ASSERT_OK_AND_ASSIGN(auto conn, sqlite::Connection::Open(path, {}));
  ASSERT_OK(
      conn->Exec("PRAGMA journal_mode=DELETE; PRAGMA journal_mode=OFF; "
                 "PRAGMA synchronous=OFF; PRAGMA cache_size=-1000000"));
  ASSERT_OK(conn->Exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(rows) +
      ") INSERT INTO events (id, type, created, livemode, object_id, object_type, received_at, "
      "source, endpoint, payload, status) SELECT 'evt_0' || hex(randomblob(12)), "
      "'invoice.paid', 1700000000 + i, 0, 'sub_0' || hex(randomblob(12)), 'subscription', "
      "1700000000000000 + i, 'webhook', 'default', randomblob(3000), 'processed' FROM n"));
  ASSERT_OK(conn->Exec("PRAGMA journal_mode=WAL"));
}

void Report(const char* label, SqliteStore& store, double rate) {
  sqlite::WriterStats stats = store.writer_stats();
  std::printf(
      "[throughput] %d submitters, %s: %.0f inserts/s, %lld batches, mean batch %.1f, max %lld\n",
      kSubmitters, label, rate, static_cast<long long>(stats.batches),
      static_cast<double>(stats.events) / static_cast<double>(stats.batches),
      static_cast<long long>(stats.max_batch_size));
}

TEST(ThroughputTest, DISABLED_DurableInsertsEmptyVsMillionRows) {
  stripehook::testing::TempDir temp;
  const char* env = std::getenv("STRIPEHOOK_BENCH_DIR");
  const std::string dir = env ? env : temp.path();
  sqlite::SqliteOptions options;
  options.path = dir + "/empty.db";
  std::remove(options.path.c_str());
  {
    ASSERT_OK_AND_ASSIGN(auto store, SqliteStore::Open(options));
    Report("empty db", *store, MeasureInsertsPerSecond(*store));
  }
  if (EnvInt("STRIPEHOOK_BENCH_WRITER_ONLY", 0)) {
    std::remove(options.path.c_str());
    ASSERT_OK_AND_ASSIGN(auto store, SqliteStore::Open(options));
    Report("writer only, empty db", *store, MeasureWriterOnly(*store, 50000));
  }
  if (EnvInt("STRIPEHOOK_BENCH_SKIP_MILLION", 0)) return;
  options.path = dir + "/million.db";
  std::remove(options.path.c_str());
  {
    ASSERT_OK_AND_ASSIGN(auto store, SqliteStore::Open(options));  // creates the schema
  }
  auto load_start = std::chrono::steady_clock::now();
  BulkLoad(options.path, 1'000'000);
  std::printf("[throughput] bulk load of 1M rows: %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - load_start).count());
  ASSERT_OK_AND_ASSIGN(auto store, SqliteStore::Open(options));
  Report("1M-row db", *store, MeasureInsertsPerSecond(*store));
}

}  // namespace
}  // namespace stripehook::store
