// Storage failures through the real SQLite paths: a VFS that fails writes like a full disk
// (leveldb ErrorEnv style), and a lock held by another connection past busy_timeout.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store {
namespace {

using sqlite::SqliteStore;
using testing::MakeEvent;
using testing::StoreFixture;

class FaultInjectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqlite::SqliteOptions options = fixture_.Options();
    options.fault_file = fault_file_;
    auto opened = SqliteStore::Open(options);
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
  }
  void DiskFull(bool full) {
    if (full) {
      std::ofstream(fault_file_) << "full";
    } else {
      std::filesystem::remove(fault_file_);
    }
  }

  stripehook::testing::TempDir dir_;
  StoreFixture fixture_{dir_};
  std::string fault_file_ = dir_.File("disk-full");
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(FaultInjectionTest, FullDiskFailsInsertsAndStoresNothingUntilItClears) {
  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_before")));
  DiskFull(true);
  EXPECT_STATUS_CODE(store_->InsertEvent(MakeEvent("evt_lost")), kUnavailable);
  EXPECT_STATUS_CODE(store_->InsertEvent(MakeEvent("evt_lost2")), kUnavailable);
  EXPECT_STATUS_CODE(store_->GetEvent("evt_lost"), kNotFound);
  ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountEvents());
  EXPECT_EQ(count, 1);
  EXPECT_GE(store_->writer_stats().failed_batches, 2);

  DiskFull(false);
  // The event that failed was never stored, so Stripe's retry inserts it for real.
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store_->InsertEvent(MakeEvent("evt_lost")));
  EXPECT_EQ(outcome, InsertOutcome::kInserted);
  ASSERT_OK_AND_ASSIGN(count, store_->CountEvents());
  EXPECT_EQ(count, 2);
  EXPECT_OK(store_->GetEvent("evt_before"));
}

TEST_F(FaultInjectionTest, EveryCallbackOfAFailedBatchGetsTheError) {
  DiskFull(true);
  constexpr int kCount = 40;
  std::latch answered(kCount);
  std::atomic<int> unavailable{0};
  for (int i = 0; i < kCount; ++i) {
    store_->InsertEventAsync(MakeEvent("evt_" + std::to_string(i), i),
                             [&](util::StatusOr<InsertOutcome> r) {
                               if (r.status().code() == util::StatusCode::kUnavailable) {
                                 ++unavailable;
                               }
                               answered.count_down();
                             });
  }
  answered.wait();
  EXPECT_EQ(unavailable.load(), kCount);
  DiskFull(false);
  ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountEvents());
  EXPECT_EQ(count, 0);
  EXPECT_OK(store_->InsertEvent(MakeEvent("evt_0")));
}

TEST_F(FaultInjectionTest, StoredDataSurvivesAFaultAndReopen) {
  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_a")));
  DiskFull(true);
  EXPECT_STATUS_CODE(store_->InsertEvent(MakeEvent("evt_b")), kUnavailable);
  DiskFull(false);
  store_.reset();
  ASSERT_OK_AND_ASSIGN(auto reopened, fixture_.Open());
  EXPECT_OK(reopened->GetEvent("evt_a"));
  EXPECT_STATUS_CODE(reopened->GetEvent("evt_b"), kNotFound);
}

TEST_F(FaultInjectionTest, SubmitWriteOnAFullDiskReportsUnavailableAndChangesNothing) {
  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_w")));
  DiskFull(true);
  std::promise<util::Status> done;
  store_->SubmitWrite(
      [](sqlite::WriteTxn& txn) {
        return txn.Exec("UPDATE events SET status = 'processed' WHERE id = 'evt_w'");
      },
      [&](util::Status s) { done.set_value(s); });
  EXPECT_STATUS_CODE(done.get_future().get(), kUnavailable);
  DiskFull(false);
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store_->GetEvent("evt_w"));
  EXPECT_EQ(got.status, EventStatus::kPending);
}

TEST(LockTimeoutTest, WriteLockHeldPastBusyTimeoutIsDeadlineExceeded) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  sqlite::SqliteOptions options = fixture.Options();
  options.busy_timeout_ms = 50;
  ASSERT_OK_AND_ASSIGN(auto store, SqliteStore::Open(options));
  ASSERT_OK_AND_ASSIGN(auto other, sqlite::Connection::Open(fixture.path(), {}));
  ASSERT_OK(other->Exec("BEGIN IMMEDIATE"));  // another process holding the write lock
  EXPECT_STATUS_CODE(store->InsertEvent(MakeEvent("evt_locked")), kDeadlineExceeded);
  ASSERT_OK(other->Exec("ROLLBACK"));
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store->InsertEvent(MakeEvent("evt_locked")));
  EXPECT_EQ(outcome, InsertOutcome::kInserted);
}

}  // namespace
}  // namespace stripehook::store
