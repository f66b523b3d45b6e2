// The WAL of a SqliteStore stays bounded under a stream of commits although the writer never
// checkpoints itself: WalCheckpointer does it from its own connection and thread.
#include "store/sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <latch>
#include <semaphore>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"

namespace stripehook::store::sqlite {
namespace {

using stripehook::store::testing::MakeEvent;
using stripehook::store::testing::StoreFixture;
using stripehook::testing::TempDir;

constexpr int kRounds = 40;
constexpr int kPerRound = 50;
constexpr int kPayloadBytes = 3000;
constexpr int64_t kTruncateFrames = 400;  // 1.6 MiB

// Inserts one round of events and waits until all of them are committed.
void InsertRound(SqliteStore& store, int round) {
  std::atomic<int> left{kPerRound};
  std::promise<void> all_done;
  for (int i = 0; i < kPerRound; ++i) {
    NewEvent event = MakeEvent("evt_" + std::to_string(round) + "_" + std::to_string(i), i);
    event.payload.append(kPayloadBytes, 'x');  // a row of its own page, as real events are
    store.InsertEventAsync(std::move(event), [&](util::StatusOr<InsertOutcome> outcome) {
      EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
      if (left.fetch_sub(1) == 1) all_done.set_value();
    });
  }
  all_done.get_future().wait();
}

TEST(WalCheckpointerTest, WalStaysBoundedWhileTheWriterCommits) {
  TempDir dir;
  StoreFixture fixture(dir);
  SqliteOptions options = fixture.Options();
  options.checkpoints.passive_frames = 100;
  options.checkpoints.truncate_frames = kTruncateFrames;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(options));
  uintmax_t largest_wal = 0;
  for (int round = 0; round < kRounds; ++round) {
    InsertRound(*store, round);
    largest_wal = std::max(largest_wal, std::filesystem::file_size(fixture.path() + "-wal"));
  }
  // Without checkpoints the WAL would hold every page written: 2,000 rows of ~3 KB, over 8 MB.
  // With them it is restarted once copied; a TRUNCATE at the hard cap bounds it even when the
  // passive checkpoints fall behind, so at most the cap plus the commits made meanwhile remain.
  EXPECT_LT(largest_wal, static_cast<uintmax_t>(4 * kTruncateFrames * 4096));
  CheckpointerStats stats = store->checkpointer_stats();
  EXPECT_GT(stats.passive + stats.truncate, 0);
  EXPECT_EQ(stats.failed, 0);
  ASSERT_OK_AND_ASSIGN(int64_t count, store->CountEvents());
  EXPECT_EQ(count, kRounds * kPerRound);
}

// Under an unbroken stream of commits the thread's checkpoint never ends between two of them, so
// SQLite never found the WAL entirely copied when a transaction began and did not restart it:
// each commit past the threshold started one more checkpoint (3,521 in 10 s at 2,000 events/s,
// for 11 restarts). The writer now copies the last few frames itself between two transactions:
// about one checkpoint by the thread and one by the writer per restart.
TEST(WalCheckpointerTest, AStreamOfCommitsCostsAboutTwoCheckpointsPerRestart) {
  TempDir dir;
  StoreFixture fixture(dir);
  SqliteOptions options = fixture.Options();
  options.checkpoints.passive_frames = 400;
  options.checkpoints.finish_frames = 128;
  options.checkpoints.truncate_frames = 8000;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(options));
  constexpr int kEvents = 3000;
  std::counting_semaphore<8> in_flight(8);  // never lets the writer's queue run dry
  std::latch all_done(kEvents);
  for (int i = 0; i < kEvents; ++i) {
    in_flight.acquire();
    NewEvent event = MakeEvent("evt_stream_" + std::to_string(i), i);
    event.payload.append(kPayloadBytes, 'x');
    store->InsertEventAsync(std::move(event), [&](util::StatusOr<InsertOutcome> outcome) {
      EXPECT_TRUE(outcome.ok()) << outcome.status().ToString();
      in_flight.release();
      all_done.count_down();
    });
  }
  all_done.wait();
  CheckpointerStats stats = store->checkpointer_stats();
  // 3,000 pages of payload alone fill the WAL past 400 frames more than 7 times.
  EXPECT_GE(stats.restarts, 5) << stats.passive << " passive, " << stats.finishing << " finishing";
  EXPECT_GT(stats.finishing, 0);
  EXPECT_LE(stats.passive + stats.finishing, 3 * stats.restarts + 3)
      << stats.passive << " passive, " << stats.finishing << " finishing, " << stats.restarts
      << " restarts";
  EXPECT_EQ(stats.truncate, 0);  // the hard cap was never needed
  EXPECT_EQ(stats.failed, 0);
  ASSERT_OK_AND_ASSIGN(int64_t count, store->CountEvents());
  EXPECT_EQ(count, kEvents);
}

}  // namespace
}  // namespace stripehook::store::sqlite
