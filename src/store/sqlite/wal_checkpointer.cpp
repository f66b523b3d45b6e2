#include "store/sqlite/wal_checkpointer.h"

#include <utility>

#include "store/sqlite/sqlite_status.h"
#include "util/log.h"

namespace stripehook::store::sqlite {
namespace {

int WalHook(void* checkpointer, sqlite3* db, const char* /*schema*/, int frames) {
  static_cast<WalCheckpointer*>(checkpointer)->OnCommit(db, frames);
  return SQLITE_OK;
}

}  // namespace

util::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(
    const std::string& path, int64_t busy_timeout_ms, const CheckpointerOptions& options) {
  ConnectionOptions conn_options;
  conn_options.busy_timeout_ms = busy_timeout_ms;
  SH_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(path, conn_options));
  // The checkpoint fsyncs the WAL before copying and the database after, as the writer would.
  SH_RETURN_IF_ERROR(conn->Exec("PRAGMA synchronous=FULL; PRAGMA cache_size=-1024"));
  std::unique_ptr<WalCheckpointer> self(new WalCheckpointer(std::move(conn), options));
  self->thread_ = std::thread([raw = self.get()] { raw->Run(); });
  return self;
}

WalCheckpointer::~WalCheckpointer() { Stop(); }

void WalCheckpointer::Install(Connection& writer) {
  sqlite3_wal_hook(writer.handle(), &WalHook, this);  // replaces wal_autocheckpoint's hook
}

void WalCheckpointer::OnCommit(sqlite3* writer, int64_t wal_frames) {
  if (wal_frames < last_wal_frames_) {  // the WAL was restarted: what was copied is gone
    std::lock_guard<std::mutex> lock(mu_);
    ++wal_generation_;
    ++stats_.restarts;
    copied_frames_ = 0;
  }
  last_wal_frames_ = wal_frames;
  if (wal_frames < options_.passive_frames) return;
  if (wal_frames >= options_.truncate_frames) {
    writer_job_ = {WriterJob::kTruncate, writer, wal_frames};
    return;
  }
  bool finish = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // While the thread copies, the commits after it decide what comes next: the writer finishes
    // a copy that left little, the thread takes up one that left much or stopped short.
    if (copying_) return;
    bool signalled = pending_frames_ > 0;
    if (!signalled && copied_frames_ > 0 && wal_frames - copied_frames_ <= options_.finish_frames) {
      finish = true;
    } else {
      pending_frames_ = wal_frames;
      if (signalled) return;  // the thread has not taken the last request yet: it sees this one
    }
  }
  if (finish) {
    writer_job_ = {WriterJob::kFinish, writer, wal_frames};
    return;
  }
  wake_.notify_one();
}

void WalCheckpointer::RunWriterJob() {
  WriterJob job = writer_job_;
  writer_job_ = {};
  if (job.kind == WriterJob::kTruncate) TruncateOnWriter(job.writer, job.wal_frames);
  if (job.kind == WriterJob::kFinish) FinishOnWriter(job.writer, job.wal_frames);
}

void WalCheckpointer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

CheckpointerStats WalCheckpointer::Stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

void WalCheckpointer::Run() {
  while (true) {
    int64_t frames = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return pending_frames_ > 0 || stopping_; });
      if (stopping_) return;
      frames = pending_frames_;
      pending_frames_ = 0;
      copying_ = true;
    }
    Checkpoint(frames);  // clears copying_
  }
}

// The hard cap runs on the writer's thread, between its commits: from another connection a
// TRUNCATE checkpoint would poll for the write lock, which a busy writer almost never leaves free.
// The writer stalls for this one checkpoint, as it did for every checkpoint before.
void WalCheckpointer::TruncateOnWriter(sqlite3* writer, int64_t wal_frames) {
  int rc = sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  // BUSY at once: the thread's PASSIVE checkpoint holds the checkpoint lock. It is copying the
  // WAL already; the next commit tries again.
  if (rc == SQLITE_BUSY) return;
  Count(rc, writer, wal_frames, 0, 0, -1, &CheckpointerStats::truncate);
}

void WalCheckpointer::Checkpoint(int64_t wal_frames) {
  int64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = wal_generation_;
  }
  int log_frames = 0, copied_frames = 0;
  int rc = sqlite3_wal_checkpoint_v2(conn_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                     &log_frames, &copied_frames);
  Count(rc, conn_->handle(), wal_frames, log_frames, copied_frames, generation,
        &CheckpointerStats::passive);
}

// Runs between two of the writer's transactions, so that nothing is committed between this copy
// and the writer's next BEGIN: that transaction finds the WAL entirely copied and restarts it.
void WalCheckpointer::FinishOnWriter(sqlite3* writer, int64_t wal_frames) {
  int log_frames = 0, copied_frames = 0;
  int rc = sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                     &copied_frames);
  // BUSY at once: another connection is checkpointing (the thread is idle when this runs); what
  // was copied still holds, so the next commit tries again.
  if (rc == SQLITE_BUSY) return;
  Count(rc, writer, wal_frames, log_frames, copied_frames, -1, &CheckpointerStats::finishing);
}

void WalCheckpointer::Count(int rc, sqlite3* db, int64_t wal_frames, int log_frames,
                            int copied_frames, int64_t generation,
                            int64_t CheckpointerStats::*counter) {
  std::lock_guard<std::mutex> lock(mu_);
  // A copy that stopped short (a reader holds an older snapshot) leaves the rest to the thread;
  // one that began before a restart says nothing about the WAL there is now.
  bool current = generation < 0 || generation == wal_generation_;
  copied_frames_ = current && rc == SQLITE_OK && copied_frames == log_frames ? copied_frames : 0;
  if (generation >= 0) copying_ = false;  // the thread's own report
  if (rc == SQLITE_OK) {
    ++(stats_.*counter);
    return;
  }
  ++stats_.failed;
  util::LogWarn("wal checkpoint failed")
      .Str("error", SqliteError(rc, db, "checkpoint").ToString())
      .Int("wal_frames", wal_frames);
}

}  // namespace stripehook::store::sqlite
