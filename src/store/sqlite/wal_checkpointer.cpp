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
  if (wal_frames < options_.passive_frames) return;
  if (wal_frames >= options_.truncate_frames) return TruncateOnWriter(writer, wal_frames);
  {
    std::lock_guard<std::mutex> lock(mu_);
    bool signalled = pending_frames_ > 0;
    pending_frames_ = wal_frames;
    if (signalled) return;  // the thread has not taken the last request yet: it sees this one
  }
  wake_.notify_one();
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
      pending_frames_ = 0;  // commits during the checkpoint ask again if the WAL is still long
    }
    Checkpoint(frames);
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
  Count(rc, writer, wal_frames, &CheckpointerStats::truncate);
}

void WalCheckpointer::Checkpoint(int64_t wal_frames) {
  int rc = sqlite3_wal_checkpoint_v2(conn_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                     nullptr);
  Count(rc, conn_->handle(), wal_frames, &CheckpointerStats::passive);
}

void WalCheckpointer::Count(int rc, sqlite3* db, int64_t wal_frames,
                            int64_t CheckpointerStats::*counter) {
  std::lock_guard<std::mutex> lock(mu_);
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
