// Concurrency of the group-commit writer: exactly-once under races, batching, SubmitWrite.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store {
namespace {

using sqlite::SqliteStore;
using sqlite::WriteTxn;
using testing::MakeEvent;
using testing::StoreFixture;

// Holds the writer thread inside a unit of work until Release(), so that everything submitted
// meanwhile is known to land in the next batch together.
class WriterGate {
 public:
  explicit WriterGate(SqliteStore& store) {
    store.SubmitWrite(
        [this](WriteTxn&) {
          entered_.count_down();
          release_.wait();
          return util::OkStatus();
        },
        [](util::Status) {});
    entered_.wait();
  }
  void Release() { release_.count_down(); }

 private:
  std::latch entered_{1};
  std::latch release_{1};
};

class GroupCommitTest : public ::testing::Test {
 protected:
  void Open(int max_batch = 512) {
    sqlite::SqliteOptions options = fixture_.Options();
    options.max_batch = max_batch;
    auto opened = SqliteStore::Open(options);
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
  }

  stripehook::testing::TempDir dir_;
  StoreFixture fixture_{dir_};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(GroupCommitTest, FiftyThreadsRacingOnOneIdStoreItOnce) {
  Open();
  constexpr int kThreads = 50;
  std::atomic<int> inserted{0}, duplicate{0}, failed{0};
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      NewEvent e = MakeEvent("evt_race", t);
      start.arrive_and_wait();
      util::StatusOr<InsertOutcome> r = store_->InsertEvent(std::move(e));
      if (!r.ok()) {
        ++failed;
      } else if (*r == InsertOutcome::kInserted) {
        ++inserted;
      } else {
        ++duplicate;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(inserted.load(), 1);
  EXPECT_EQ(duplicate.load(), kThreads - 1);
  EXPECT_EQ(failed.load(), 0);
  ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountEvents());
  EXPECT_EQ(count, 1);
}

TEST_F(GroupCommitTest, DuplicatesInsideOneBatchResolveToOneInsert) {
  Open();
  WriterGate gate(*store_);
  std::vector<std::future<util::StatusOr<InsertOutcome>>> results;
  for (int i = 0; i < 3; ++i) {
    auto promise = std::make_shared<std::promise<util::StatusOr<InsertOutcome>>>();
    results.push_back(promise->get_future());
    NewEvent e = MakeEvent("evt_same", i);
    e.payload = "payload " + std::to_string(i);
    store_->InsertEventAsync(
        e, [promise](util::StatusOr<InsertOutcome> r) { promise->set_value(std::move(r)); });
  }
  gate.Release();
  std::vector<InsertOutcome> outcomes;
  for (auto& f : results) {
    util::StatusOr<InsertOutcome> r = f.get();
    ASSERT_OK(r);
    outcomes.push_back(*r);
  }
  EXPECT_EQ(outcomes,
            (std::vector<InsertOutcome>{InsertOutcome::kInserted, InsertOutcome::kDuplicate,
                                        InsertOutcome::kDuplicate}));
  EXPECT_EQ(store_->writer_stats().last_batch_size, 3);
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store_->GetEvent("evt_same"));
  EXPECT_EQ(got.event.payload, "payload 0");  // the first in queue order wins
}

TEST_F(GroupCommitTest, TenThousandConcurrentInsertsShareBatches) {
  Open();
  constexpr int kThreads = 16;
  constexpr int kPerThread = 625;
  std::atomic<int> inserted{0};
  std::latch answered(kThreads * kPerThread);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = "evt_" + std::to_string(t) + "_" + std::to_string(i);
        store_->InsertEventAsync(MakeEvent(id, i), [&](util::StatusOr<InsertOutcome> r) {
          if (r.ok() && *r == InsertOutcome::kInserted) ++inserted;
          answered.count_down();
        });
      }
    });
  }
  for (std::thread& t : threads) t.join();
  answered.wait();
  EXPECT_EQ(inserted.load(), kThreads * kPerThread);
  ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountEvents());
  EXPECT_EQ(count, kThreads * kPerThread);
  sqlite::WriterStats stats = store_->writer_stats();
  EXPECT_EQ(stats.events, kThreads * kPerThread);
  EXPECT_EQ(stats.failed_batches, 0);
  EXPECT_GT(stats.max_batch_size, 1);
  EXPECT_LT(stats.batches, kThreads * kPerThread);
}

TEST_F(GroupCommitTest, BatchesNeverExceedMaxBatch) {
  Open(/*max_batch=*/4);
  WriterGate gate(*store_);
  std::latch answered(10);
  for (int i = 0; i < 10; ++i) {
    store_->InsertEventAsync(MakeEvent("evt_" + std::to_string(i), i),
                             [&](util::StatusOr<InsertOutcome>) { answered.count_down(); });
  }
  gate.Release();
  answered.wait();
  sqlite::WriterStats stats = store_->writer_stats();
  EXPECT_EQ(stats.max_batch_size, 4);
  EXPECT_EQ(stats.batches, 1 + 3);  // the gate's own batch, then 4 + 4 + 2
  EXPECT_EQ(stats.last_batch_size, 2);
}

TEST_F(GroupCommitTest, FailedWorkRollsBackOnlyItselfAndTheBatchCommits) {
  Open();
  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_target")));
  WriterGate gate(*store_);
  std::promise<util::Status> bad_done, good_done;
  std::promise<util::StatusOr<InsertOutcome>> insert_done;
  store_->SubmitWrite(
      [](WriteTxn& txn) -> util::Status {
        SH_RETURN_IF_ERROR(txn.Exec("UPDATE events SET status = 'dead' WHERE id = 'evt_target'"));
        return util::FailedPreconditionError("handler refused");
      },
      [&](util::Status s) { bad_done.set_value(s); });
  store_->SubmitWrite(
      [](WriteTxn& txn) -> util::Status {
        SH_ASSIGN_OR_RETURN(sqlite::Statement * stmt,
                            txn.Prepare("UPDATE events SET attempts = ? WHERE id = ?"));
        stmt->BindInt64(1, 7);
        stmt->BindText(2, "evt_target");
        SH_RETURN_IF_ERROR(stmt->Run());
        return txn.Changes() == 1 ? util::OkStatus() : util::InternalError("no row");
      },
      [&](util::Status s) { good_done.set_value(s); });
  store_->InsertEventAsync(MakeEvent("evt_other"), [&](util::StatusOr<InsertOutcome> r) {
    insert_done.set_value(std::move(r));
  });
  gate.Release();

  EXPECT_STATUS_CODE(bad_done.get_future().get(), kFailedPrecondition);
  EXPECT_OK(good_done.get_future().get());
  EXPECT_OK(insert_done.get_future().get());
  // The two works shared one transaction; the insert had its own.
  EXPECT_EQ(store_->writer_stats().max_batch_size, 2);
  EXPECT_EQ(store_->writer_stats().last_batch_size, 1);
  ASSERT_OK_AND_ASSIGN(StoredEvent target, store_->GetEvent("evt_target"));
  EXPECT_EQ(target.status, EventStatus::kPending);  // the failed work's UPDATE was undone
  EXPECT_EQ(target.attempts, 7);
  EXPECT_OK(store_->GetEvent("evt_other"));
}

// Inserts and works queued together commit in runs of one kind, in the order submitted: an
// acknowledgement never waits for a processing commit's statements.
TEST_F(GroupCommitTest, InsertsAndWorksCommitInSeparateTransactionsInQueueOrder) {
  Open();
  WriterGate gate(*store_);
  std::vector<std::string> order;  // written on the writer thread only
  std::latch answered(6);
  auto insert = [&](const std::string& id) {
    store_->InsertEventAsync(MakeEvent(id), [&, id](util::StatusOr<InsertOutcome> r) {
      EXPECT_OK(r);
      order.push_back(id);
      answered.count_down();
    });
  };
  auto count_events = [&](const std::string& name) {
    store_->SubmitWrite(
        [&, name](WriteTxn& txn) -> util::Status {
          SH_ASSIGN_OR_RETURN(sqlite::Statement * stmt, txn.Prepare("SELECT count(*) FROM events"));
          SH_ASSIGN_OR_RETURN(bool row, stmt->Step());
          EXPECT_TRUE(row);
          order.push_back(name + " saw " + std::to_string(stmt->ColumnInt64(0)));
          stmt->Reset();
          return util::OkStatus();
        },
        [&](util::Status s) {
          EXPECT_OK(s);
          answered.count_down();
        });
  };
  insert("evt_a");
  insert("evt_b");
  count_events("w1");
  count_events("w2");
  insert("evt_c");
  insert("evt_d");
  gate.Release();
  answered.wait();

  EXPECT_EQ(order,
            (std::vector<std::string>{"evt_a", "evt_b", "w1 saw 2", "w2 saw 2", "evt_c", "evt_d"}));
  sqlite::WriterStats stats = store_->writer_stats();
  EXPECT_EQ(stats.batches, 1 + 3);  // the gate's own, then [a, b], [w1, w2], [c, d]
  EXPECT_EQ(stats.max_batch_size, 2);
}

// With a gather window, writes submitted to an idle writer one after another share one commit.
TEST_F(GroupCommitTest, AShortQueueWaitsTheGatherWindowForCompany) {
  sqlite::SqliteOptions options = fixture_.Options();
  options.commit_gather_us = 2'000'000;  // far longer than three submissions take
  ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(options));
  const int64_t before = store_->writer_stats().batches;  // migrations do not go through it
  std::latch answered(3);
  for (int i = 0; i < 3; ++i) {
    store_->InsertEventAsync(MakeEvent("evt_g" + std::to_string(i), i),
                             [&](util::StatusOr<InsertOutcome> r) {
                               EXPECT_OK(r);
                               answered.count_down();
                             });
  }
  answered.wait();
  EXPECT_EQ(store_->writer_stats().batches - before, 1);
  EXPECT_EQ(store_->writer_stats().last_batch_size, 3);
}

// The gather window runs from the oldest queued write's arrival: a write that queued up behind a
// long transaction has waited long enough and is committed as soon as the writer is free, not
// after another window (which at 2,000 events/s added 0.5 ms to every insert behind a processing
// commit). The timing bounds are a second apart, far beyond scheduling noise (even sanitized).
TEST_F(GroupCommitTest, AWriteThatWaitedBehindALongTransactionGetsNoFurtherWindow) {
  sqlite::SqliteOptions options = fixture_.Options();
  options.commit_gather_us = 2'000'000;
  ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(options));
  WriterGate gate(*store_);  // waits out its own window, then holds the writer
  std::promise<void> answered;
  store_->InsertEventAsync(MakeEvent("evt_behind"), [&](util::StatusOr<InsertOutcome> r) {
    EXPECT_OK(r);
    answered.set_value();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));  // longer than the window
  auto released = std::chrono::steady_clock::now();
  gate.Release();
  answered.get_future().wait();
  EXPECT_LT(std::chrono::steady_clock::now() - released, std::chrono::milliseconds(1000));
}

// Shutdown cuts a gather window short and still commits what was queued.
TEST_F(GroupCommitTest, ShutdownDoesNotWaitOutTheGatherWindow) {
  sqlite::SqliteOptions options = fixture_.Options();
  options.commit_gather_us = 600'000'000;  // ten minutes: the test would time out
  ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(options));
  std::promise<util::StatusOr<InsertOutcome>> done;
  store_->InsertEventAsync(MakeEvent("evt_late"),
                           [&](util::StatusOr<InsertOutcome> r) { done.set_value(std::move(r)); });
  store_->Shutdown();
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, done.get_future().get());
  EXPECT_EQ(outcome, InsertOutcome::kInserted);
}

// A work that changes the inbox (so that its commit writes frames and has a sync to defer).
void SubmitAttemptsUpdate(SqliteStore& store, int attempts, std::promise<util::Status>& done) {
  store.SubmitWrite(
      [attempts](WriteTxn& txn) {
        return txn.Exec("UPDATE events SET attempts = " + std::to_string(attempts) +
                        " WHERE id = 'evt_target'");
      },
      [&done](util::Status s) { done.set_value(std::move(s)); });
}

// Waits (up to 10 s) until a reader sees the work's commit.
void WaitUntilCommitted(SqliteStore& store, int attempts) {
  for (int i = 0; i < 1000; ++i) {
    auto event = store.GetEvent("evt_target");
    ASSERT_OK(event);
    if (event->attempts == attempts) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL() << "the work's commit never became visible";
}

class DeferredSyncTest : public GroupCommitTest {
 protected:
  void OpenWithDelay(int64_t deferred_sync_us, const std::string& fault_file = "") {
    sqlite::SqliteOptions options = fixture_.Options();
    options.deferred_sync_us = deferred_sync_us;
    options.fault_file = fault_file;
    ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(options));
    ASSERT_OK(store_->InsertEvent(MakeEvent("evt_target")));
  }
};

// A processing commit leaves its fsync to the next insert commit, and its caller hears of it only
// after that fsync: committed (readers see it) is not yet answered.
TEST_F(DeferredSyncTest, AWorkIsAnsweredOnlyWhenTheNextInsertCommitHasSyncedIt) {
  OpenWithDelay(600'000'000);  // ten minutes: only the insert can answer the work
  std::promise<util::Status> done;
  std::future<util::Status> answered = done.get_future();
  SubmitAttemptsUpdate(*store_, 3, done);
  WaitUntilCommitted(*store_, 3);
  EXPECT_EQ(answered.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  EXPECT_EQ(store_->writer_stats().deferred_syncs, 1);

  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_cover", 1)));
  EXPECT_OK(answered.get());
  EXPECT_EQ(store_->writer_stats().syncs_alone, 0);
}

// A duplicate writes nothing, so its commit syncs nothing: the work stays unanswered.
TEST_F(DeferredSyncTest, AnInsertCommitThatWroteNothingDoesNotAnswerTheWork) {
  OpenWithDelay(600'000'000);
  std::promise<util::Status> done;
  std::future<util::Status> answered = done.get_future();
  SubmitAttemptsUpdate(*store_, 4, done);
  WaitUntilCommitted(*store_, 4);
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store_->InsertEvent(MakeEvent("evt_target")));
  EXPECT_EQ(outcome, InsertOutcome::kDuplicate);
  EXPECT_EQ(answered.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_cover", 1)));
  EXPECT_OK(answered.get());
}

// With no insert coming, the writer syncs alone once the delay has passed.
TEST_F(DeferredSyncTest, WithNoInsertTheWriterSyncsAloneAfterTheDelay) {
  OpenWithDelay(50'000);
  std::promise<util::Status> done;
  SubmitAttemptsUpdate(*store_, 5, done);
  EXPECT_OK(done.get_future().get());
  sqlite::WriterStats stats = store_->writer_stats();
  EXPECT_EQ(stats.deferred_syncs, 1);
  EXPECT_EQ(stats.syncs_alone, 1);
}

// When no insert has committed lately none is waited for: a backlog drained by the pipeline alone
// would otherwise wait out the delay at every processing commit.
TEST_F(DeferredSyncTest, WithNoInsertLatelyTheWriterSyncsAtOnce) {
  sqlite::SqliteOptions options = fixture_.Options();
  options.deferred_sync_us = 600'000'000;  // ten minutes: waited for, the test would time out
  ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(options));
  std::promise<util::Status> done;
  store_->SubmitWrite(
      [](WriteTxn& txn) {
        return txn.Exec(
            "INSERT INTO outbox (event_id, type, user_id, body, created_at) "
            "VALUES ('evt_x', 'access.changed', 'user_1', '{}', 0)");
      },
      [&done](util::Status s) { done.set_value(std::move(s)); });
  std::future<util::Status> answered = done.get_future();
  ASSERT_EQ(answered.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_OK(answered.get());
  sqlite::WriterStats stats = store_->writer_stats();
  EXPECT_EQ(stats.deferred_syncs, 1);
  EXPECT_EQ(stats.syncs_alone, 1);
}

TEST_F(DeferredSyncTest, ShutdownSyncsAndAnswersAHeldWork) {
  OpenWithDelay(600'000'000);
  std::promise<util::Status> done;
  SubmitAttemptsUpdate(*store_, 6, done);
  WaitUntilCommitted(*store_, 6);
  store_->Shutdown();
  EXPECT_OK(done.get_future().get());
  EXPECT_EQ(store_->writer_stats().syncs_alone, 1);
}

// The owed fsync fails (a full disk): the work hears the failure, not success, and the store
// takes writes again once the disk recovers.
TEST_F(DeferredSyncTest, AFailedSyncFailsTheHeldWork) {
  const std::string fault_file = dir_.File("disk-full");
  OpenWithDelay(600'000'000, fault_file);
  std::promise<util::Status> done;
  SubmitAttemptsUpdate(*store_, 7, done);
  WaitUntilCommitted(*store_, 7);
  std::ofstream(fault_file) << "full";
  auto failed = store_->InsertEvent(MakeEvent("evt_refused", 1));
  EXPECT_STATUS_CODE(failed.status(), kUnavailable);
  std::filesystem::remove(fault_file);
  std::promise<util::Status> later;
  SubmitAttemptsUpdate(*store_, 8, later);
  std::ofstream(fault_file) << "full";
  store_->Shutdown();  // syncs alone: fails
  std::filesystem::remove(fault_file);
  EXPECT_STATUS_CODE(done.get_future().get(), kUnavailable);
  EXPECT_STATUS_CODE(later.get_future().get(), kUnavailable);
}

TEST_F(GroupCommitTest, SubmitWriteAfterShutdownFailsAtOnce) {
  Open();
  store_->Shutdown();
  util::Status result = util::OkStatus();
  bool ran = false;
  store_->SubmitWrite(
      [&](WriteTxn&) {
        ran = true;
        return util::OkStatus();
      },
      [&](util::Status s) { result = s; });
  EXPECT_FALSE(ran);
  EXPECT_STATUS_CODE(result, kUnavailable);
}

}  // namespace
}  // namespace stripehook::store
