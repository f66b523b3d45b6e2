#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/connection.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::store::sqlite {

struct CheckpointerOptions {
  // WAL frames (4 KiB pages) after a commit beyond which a PASSIVE checkpoint is started. PASSIVE
  // copies committed pages to the database without ever taking the write lock, so the writer
  // keeps committing while it runs; once it has copied the whole WAL the writer starts the WAL
  // over from its beginning, which keeps the file bounded.
  // The copy ends with an fsync of the database file, and a commit's fsync that meets it waits
  // for it: at 4,000 frames each checkpoint wrote ~8 MB and stalled the commits behind it for
  // 5-10 ms (p99 of an open loop at 2,000 events/s 6.7-8.0 ms); at 1,000, 5.4-5.5 ms.
  int64_t passive_frames = 1000;
  // Hard cap: a WAL this long means PASSIVE checkpoints are not catching up (a reader holding an
  // old snapshot, a disk slower than the writes, or a writer that never leaves the WAL fully
  // copied at the start of its next transaction, which is when SQLite restarts the WAL). Then
  // the writer itself runs a TRUNCATE checkpoint after its commit's callbacks, waiting for readers
  // (up to busy_timeout), so that the WAL cannot grow without bound.
  int64_t truncate_frames = 16000;  // 64 MiB, the journal_size_limit of the writer
  // SQLite restarts the WAL only when a write transaction begins on a WAL that is entirely copied,
  // and under a steady stream of commits the thread's checkpoint almost never ends between two
  // of them: each one copied what had been committed while the previous one ran, and fsynced the
  // WAL and the database to do it (3,521 checkpoints in 10 s at 2,000 events/s, for 11 restarts).
  // So once the thread has copied all but at most this many frames, the writer copies the rest
  // itself after its commit, and its next transaction restarts the WAL.
  int64_t finish_frames = 256;  // 1 MiB
};

struct CheckpointerStats {
  int64_t passive = 0;    // PASSIVE checkpoints run by the thread
  int64_t finishing = 0;  // PASSIVE checkpoints of the last few frames run by the writer
  int64_t restarts = 0;   // times the WAL was started over from its beginning
  int64_t truncate = 0;   // TRUNCATE checkpoints run (the hard cap was hit)
  int64_t failed = 0;     // checkpoints that returned an error (retried on the next commit)
};

// Checkpoints a WAL database from its own connection on its own thread, so that the group-commit
// writer does not spend its time copying pages and fsyncing the database file: with
// `wal_autocheckpoint` on, the commit that crosses the threshold does the whole checkpoint and
// every request waiting on that commit waits for it. The writer copies only the last few frames
// (finish_frames), between two transactions, so that the WAL can restart.
//
// Install() replaces the writer connection's autocheckpoint with a WAL hook that reports the WAL
// length after each commit; the hook signals this thread or leaves a job for RunWriterJob. A failed
// checkpoint is logged and retried after a later commit; it never affects durability (the WAL holds
// every committed page). Thread-safe. The writer connection must be closed or stop committing
// before destruction.
class WalCheckpointer {
 public:
  // Opens a read-write connection of its own to `path` (already in WAL mode) and starts the
  // thread. kUnavailable when the file cannot be opened.
  static util::StatusOr<std::unique_ptr<WalCheckpointer>> Start(const std::string& path,
                                                                int64_t busy_timeout_ms,
                                                                const CheckpointerOptions& options);
  ~WalCheckpointer();  // Stop()
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Turns off `writer`'s autocheckpoint and reports its commits here. Call before the writer
  // thread starts; `writer` must not outlive this object while it commits.
  void Install(Connection& writer);
  // Called on the writer's thread after a commit of `writer` that left `wal_frames` frames in
  // the WAL (from the WAL hook).
  void OnCommit(sqlite3* writer, int64_t wal_frames) EXCLUDES(mu_);
  // Called on the writer's thread between its transactions, after the last one's callbacks ran
  // (GroupCommitWriter::Options::between_batches): runs the checkpoint OnCommit left to the
  // writer, if any, so that the acknowledgements of that commit do not wait for it.
  void RunWriterJob() EXCLUDES(mu_);
  // Stops the thread (a running checkpoint finishes first). Idempotent.
  void Stop() EXCLUDES(mu_);

  CheckpointerStats Stats() const EXCLUDES(mu_);

 private:
  WalCheckpointer(std::unique_ptr<Connection> conn, const CheckpointerOptions& options)
      : conn_(std::move(conn)), options_(options) {}
  void Run() EXCLUDES(mu_);
  // One checkpoint's result: SQLite's code, the WAL's frames and how many of them are copied.
  struct Copy {
    int rc = SQLITE_OK;
    int log_frames = 0;
    int copied_frames = 0;
  };
  static Copy CheckpointWith(sqlite3* db, int mode);
  void Checkpoint(int64_t wal_frames);
  // `generation` of a copy run by the writer between its commits, so never across a restart.
  static constexpr int64_t kWriterCopy = -1;
  // Records a checkpoint's result. `generation` is wal_generation_ when the thread's checkpoint
  // began, or kWriterCopy.
  void Count(const Copy& copy, sqlite3* db, int64_t wal_frames, int64_t generation,
             int64_t CheckpointerStats::*counter) EXCLUDES(mu_);

  std::unique_ptr<Connection> conn_;  // used only by the thread
  const CheckpointerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  int64_t pending_frames_ GUARDED_BY(mu_) = 0;  // > 0: a checkpoint is wanted
  // Frames of the current WAL known to be copied to the database (by the thread or the writer);
  // 0 when the last checkpoint could not copy them all (a reader held an older snapshot), and
  // reset by OnCommit when the WAL restarts (a copy begun before that is discarded by Count).
  int64_t copied_frames_ GUARDED_BY(mu_) = 0;
  bool copying_ GUARDED_BY(mu_) = false;        // the thread's checkpoint is running
  int64_t wal_generation_ GUARDED_BY(mu_) = 0;  // restarts of the WAL seen by OnCommit
  // The writer's thread only (OnCommit, RunWriterJob).
  int64_t last_wal_frames_ = 0;
  struct WriterJob {
    enum Kind { kNone, kFinish, kTruncate } kind = kNone;
    sqlite3* writer = nullptr;
    int64_t wal_frames = 0;
  };
  WriterJob writer_job_;
  bool stopping_ GUARDED_BY(mu_) = false;
  CheckpointerStats stats_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace stripehook::store::sqlite
