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
  int64_t passive_frames = 4000;
  // Hard cap: a WAL this long means PASSIVE checkpoints are not catching up (a reader holding an
  // old snapshot, a disk slower than the writes, or a writer that never leaves the WAL fully
  // copied at the start of its next transaction, which is when SQLite restarts the WAL). Then
  // the writer itself runs a TRUNCATE checkpoint after its commit, waiting for readers (up to
  // busy_timeout), so that the WAL cannot grow without bound.
  int64_t truncate_frames = 16000;  // 64 MiB, the journal_size_limit of the writer
};

struct CheckpointerStats {
  int64_t passive = 0;   // PASSIVE checkpoints run
  int64_t truncate = 0;  // TRUNCATE checkpoints run (the hard cap was hit)
  int64_t failed = 0;    // checkpoints that returned an error (retried on the next commit)
};

// Checkpoints a WAL database from its own connection on its own thread, so that the group-commit
// writer never spends its time copying pages and fsyncing the database file: with
// `wal_autocheckpoint` on, the commit that crosses the threshold does the whole checkpoint and
// every request waiting on that commit waits for it.
//
// Install() replaces the writer connection's autocheckpoint with a WAL hook that reports the WAL
// length after each commit; the hook only signals this thread. A failed checkpoint is logged and
// retried after a later commit; it never affects durability (the WAL holds every committed page).
// Thread-safe. The writer connection must be closed or stop committing before destruction.
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
  // Stops the thread (a running checkpoint finishes first). Idempotent.
  void Stop() EXCLUDES(mu_);

  CheckpointerStats Stats() const EXCLUDES(mu_);

 private:
  WalCheckpointer(std::unique_ptr<Connection> conn, const CheckpointerOptions& options)
      : conn_(std::move(conn)), options_(options) {}
  void Run() EXCLUDES(mu_);
  void Checkpoint(int64_t wal_frames);
  void TruncateOnWriter(sqlite3* writer, int64_t wal_frames);
  void Count(int rc, sqlite3* db, int64_t wal_frames, int64_t CheckpointerStats::*counter)
      EXCLUDES(mu_);

  std::unique_ptr<Connection> conn_;  // used only by the thread
  const CheckpointerOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  int64_t pending_frames_ GUARDED_BY(mu_) = 0;  // > 0: a checkpoint is wanted
  bool stopping_ GUARDED_BY(mu_) = false;
  CheckpointerStats stats_ GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace stripehook::store::sqlite
