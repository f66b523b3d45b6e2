#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/write_batch.h"
#include "store/sqlite/write_txn.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::store::sqlite {

// Counters of the writer, for metrics and tests. Monotonic except last_batch_size.
struct WriterStats {
  int64_t batches = 0;          // transactions attempted (committed + failed)
  int64_t failed_batches = 0;   // transactions rolled back
  int64_t events = 0;           // inserts attempted, in any batch
  int64_t works = 0;            // SubmitWrite units attempted
  int64_t last_batch_size = 0;  // writes in the most recent batch
  int64_t max_batch_size = 0;
  int64_t deferred_syncs = 0;  // works batches committed with their sync left to a later one
  int64_t syncs_alone = 0;     // syncs the writer made for them because no insert commit came
};

// The single writer of a SQLite database: one thread that owns the read-write connection and
// commits whatever has queued up since its last commit in one transaction (group commit), up to
// `max_batch` writes per transaction. A transaction holds inserts only or works only (the longest
// run of one kind at the head of the queue): an acknowledgement never waits for the statements of
// a processing commit, and a failing work cannot fail an insert.
//
// Submit* never blocks on the database: it appends to an in-memory queue and returns. The
// callback runs exactly once: on the writer thread after the batch commits and is synced (for
// works, possibly by a later commit's sync: Options::sync_delay) or fails, or at once
// on the caller's thread with kUnavailable when the writer is shut down or the queue holds
// `max_queue` writes already. Callbacks must be quick and must not wait for another write
// (that would deadlock the writer). Thread-safe.
class GroupCommitWriter {
 public:
  struct Options {
    int max_batch = 512;
    size_t max_queue = 100000;
    const util::Clock* clock = nullptr;  // stamps received_at when an event has none; required
    // When fewer than `gather_below` writes are queued as a transaction is about to start, wait
    // for more until the oldest of them has been queued this long (0: never). At moderate rates
    // every commit rewrote ~20 hot pages for 2-3 events and the writer was busy 92 % of the time:
    // open loop 2,000 events/s p99 32-47 ms -> 9-10 ms with 500 us, server CPU 360-405 -> 270-325
    // us/event (bench/README.md). Since the window counts from the arrival and the WAL restarts
    // promptly, 250 us does better: p50 1.34-1.43 -> 0.97-1.03 ms, p99 4.4-5.9 -> 4.0-5.0 ms,
    // for 290-330 -> 332-345 us/event; closed loop unchanged (the queue is rarely that short).
    std::chrono::microseconds gather{0};
    size_t gather_below = 8;
    // A batch of works (processing commits) commits without its own fsync: the next insert
    // commit's fsync covers its frames too, and its callbacks run only then, so every callback
    // still means "committed and synced". When no insert commits within `sync_delay` of the first
    // such batch, the writer syncs the WAL alone; at once when the queue is empty and no insert
    // committed in the `sync_delay` before it. 0: works commit with a sync of their own.
    // Under load this takes one ~1 ms fsync per processing commit off the writer, which inserts
    // queued behind it waited for (bench/README.md).
    std::chrono::microseconds sync_delay{0};
    // Runs on the writer thread after each transaction's callbacks (WalCheckpointer::RunWriterJob).
    std::function<void()> between_batches;
  };

  // Takes ownership of `conn` (migrated, configured) and starts the writer thread.
  GroupCommitWriter(std::unique_ptr<Connection> conn, const Options& options);
  // Shutdown().
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  void SubmitInsert(NewEvent event, InsertCallback done);
  // Runs `work` on the writer thread inside the next batch transaction; see write_txn.h.
  void SubmitWrite(WriteWork work, WriteDone done);

  // Commits everything already queued (callbacks run), then stops the thread. Later submits
  // fail at once. Idempotent; blocks until the thread has stopped.
  void Shutdown();

  WriterStats Stats() const;

 private:
  // false (and the write stays with the caller) when stopped or full; *reason says which.
  bool Enqueue(PendingWrite& write, util::Status* reason) EXCLUDES(mu_);
  // Waits for writes (until `sync_by` at the latest, when set); empty when it passed with none,
  // or when stopping with nothing left.
  std::vector<PendingWrite> TakeBatch(std::optional<std::chrono::steady_clock::time_point> sync_by)
      EXCLUDES(mu_);
  void Run();
  // Runs the held callbacks once a sync has covered their commits: at once when one already did
  // (an insert commit, a checkpoint), or after syncing the WAL now when `now` is true.
  void ReleaseHeld(bool now);
  // Counts a committed or failed batch of `writes` writes, all inserts or all works.
  void Record(bool inserts, size_t writes, const util::Status& status);

  const Options options_;
  BatchExecutor executor_;  // touched only by the writer thread
  // Writer thread only: callbacks of works committed with their sync owed, and when the first
  // of them was held.
  std::vector<BatchExecutor::HeldWork> held_;
  std::chrono::steady_clock::time_point held_since_;
  std::optional<std::chrono::steady_clock::time_point> last_insert_commit_;  // when it began

  std::mutex mu_;
  std::condition_variable wake_;
  struct Queued {
    PendingWrite write;
    std::chrono::steady_clock::time_point queued_at;  // when Enqueue took it (gather window)
  };
  std::deque<Queued> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  // True while the writer sleeps on wake_. Submitters signal only then: while it commits, it
  // will find their writes without a futex wake per insert.
  bool writer_idle_ GUARDED_BY(mu_) = false;

  std::mutex shutdown_mu_;  // serializes join()
  std::thread thread_;

  std::atomic<int64_t> batches_{0}, failed_batches_{0}, events_{0}, works_{0};
  std::atomic<int64_t> last_batch_size_{0}, max_batch_size_{0};
  std::atomic<int64_t> deferred_syncs_{0}, syncs_alone_{0};
};

}  // namespace stripehook::store::sqlite
