#include "store/sqlite/wal_checkpointer.h"

#include <utility>

#include "store/sqlite/sqlite_status.h"
#include "util/log.h"
#include "util/thread_name.h"

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
  self->thread_ = util::StartNamedThread("checkpointer", [raw = self.get()] { raw->Run(); });
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

// Runs between two of the writer's transactions. kFinish: nothing is committed between this copy
// and the writer's next BEGIN, so that transaction finds the WAL entirely copied and restarts it.
// kTruncate (the hard cap): from another connection a TRUNCATE checkpoint would poll for the write
// lock, which a busy writer almost never leaves free; the writer stalls for this one checkpoint.
void WalCheckpointer::RunWriterJob() {
  const WriterJob job = std::exchange(writer_job_, WriterJob{});
  if (job.kind == WriterJob::kNone) return;
  const bool truncate = job.kind == WriterJob::kTruncate;
  const Copy copy =
      CheckpointWith(job.writer, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE);
  // BUSY at once: the thread's PASSIVE checkpoint holds the checkpoint lock and is copying the WAL
  // already; what was copied still holds, and the next commit tries again.
  if (copy.rc == SQLITE_BUSY) return;
  Count(copy, job.writer, job.wal_frames, kWriterCopy,
        truncate ? &CheckpointerStats::truncate : &CheckpointerStats::finishing);
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

WalCheckpointer::Copy WalCheckpointer::CheckpointWith(sqlite3* db, int mode) {
  Copy copy;
  copy.rc = sqlite3_wal_checkpoint_v2(db, nullptr, mode, &copy.log_frames, &copy.copied_frames);
  return copy;
}

void WalCheckpointer::Checkpoint(int64_t wal_frames) {
  int64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = wal_generation_;
  }
  Count(CheckpointWith(conn_->handle(), SQLITE_CHECKPOINT_PASSIVE), conn_->handle(), wal_frames,
        generation, &CheckpointerStats::passive);
}

void WalCheckpointer::Count(const Copy& copy, sqlite3* db, int64_t wal_frames, int64_t generation,
                            int64_t CheckpointerStats::*counter) {
  const int rc = copy.rc;
  std::lock_guard<std::mutex> lock(mu_);
  // A copy that stopped short (a reader holds an older snapshot) leaves the rest to the thread;
  // one that began before a restart says nothing about the WAL there is now.
  const bool by_writer = generation == kWriterCopy;
  const bool current = by_writer || generation == wal_generation_;
  const bool complete = rc == SQLITE_OK && copy.copied_frames == copy.log_frames;
  copied_frames_ = current && complete ? copy.copied_frames : 0;
  if (!by_writer) copying_ = false;  // the thread's own report
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
