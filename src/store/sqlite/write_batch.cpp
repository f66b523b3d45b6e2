#include "store/sqlite/write_batch.h"

#include <exception>
#include <string>
#include <utility>

#include "store/sqlite/event_rows.h"
#include "store/sqlite/sqlite_status.h"
#include "store/sqlite/transaction.h"
#include "store/sqlite/wal_buffering_vfs.h"
#include "util/log.h"

namespace stripehook::store::sqlite {
namespace {

// Storage failures are reported to callers as "try again later", except a lock held past the
// deadline, which says so.
util::Status AsBatchError(const util::Status& status) {
  if (status.code() == util::StatusCode::kDeadlineExceeded ||
      status.code() == util::StatusCode::kUnavailable) {
    return status;
  }
  return util::UnavailableError(status.message());
}

util::Status CallWork(PendingWork& work, WriteTxn& txn) {
  try {
    return work.work(txn);
  } catch (const std::exception& e) {
    return util::InternalError(std::string("write work threw: ") + e.what());
  } catch (...) {
    return util::InternalError("write work threw");
  }
}

// The last-resort catch of the writer thread: one bad callback must not stop the others.
template <typename Callback>
void RunCallback(Callback&& callback) {
  try {
    callback();
  } catch (...) {
    util::LogError("store write callback threw");
  }
}

}  // namespace

BatchExecutor::BatchExecutor(std::unique_ptr<Connection> conn, const util::Clock& clock)
    : conn_(std::move(conn)), cache_(*conn_), clock_(clock) {
  int owed = 0;
  can_defer_sync_ =
      sqlite3_file_control(conn_->handle(), "main", kWalSyncOwedFcntl, &owed) == SQLITE_OK;
}

util::Status BatchExecutor::Execute(std::vector<PendingWrite>& batch, bool defer_sync) {
  results_.assign(batch.size(), Result());
  defer_sync = defer_sync && can_defer_sync_;  // another VFS: the commit syncs as usual
  if (defer_sync) DeferSync(true);
  util::Status status;
  {
    Transaction txn(*conn_);
    status = txn.Begin(Transaction::Mode::kImmediate);
    if (status.ok()) status = ApplyAll(batch, results_);
    if (status.ok()) status = txn.Commit();  // the fsync that makes the whole batch durable
  }                                          // rolled back here unless committed
  if (defer_sync) DeferSync(false);
  if (!status.ok()) status = AsBatchError(status);
  return status;
}

void BatchExecutor::DeferSync(bool on) {
  int arg = on ? 1 : 0;
  sqlite3_file_control(conn_->handle(), "main", kDeferWalSyncFcntl, &arg);
}

bool BatchExecutor::SyncOwed() {
  int owed = 0;
  return can_defer_sync_ &&
         sqlite3_file_control(conn_->handle(), "main", kWalSyncOwedFcntl, &owed) == SQLITE_OK &&
         owed != 0;
}

util::Status BatchExecutor::SyncWal() {
  if (!can_defer_sync_) return util::OkStatus();
  int rc = sqlite3_file_control(conn_->handle(), "main", kSyncOwedWalFcntl, nullptr);
  if (rc == SQLITE_OK) return util::OkStatus();
  return util::UnavailableError(SqliteError(rc, conn_->handle(), "sync of the WAL").message());
}

util::Status BatchExecutor::ApplyAll(std::vector<PendingWrite>& batch,
                                     std::vector<Result>& results) {
  for (size_t i = 0; i < batch.size(); ++i) {
    if (auto* insert = std::get_if<PendingInsert>(&batch[i])) {
      SH_ASSIGN_OR_RETURN(results[i].outcome, Insert(insert->event));
    } else {
      SH_RETURN_IF_ERROR(RunWork(std::get<PendingWork>(batch[i]), &results[i].work_status));
    }
  }
  return util::OkStatus();
}

util::StatusOr<InsertOutcome> BatchExecutor::Insert(const NewEvent& event) {
  SH_ASSIGN_OR_RETURN(Statement * stmt, cache_.Get(kInsertEventSql));
  BindNewEvent(*stmt, event);
  util::Status status = stmt->Run();
  stmt->Reset();  // drop the bindings: they point into `event`
  // The context string is built only on failure: this runs once per event on the writer thread.
  if (!status.ok()) return status.Annotate("insert event " + event.id);
  if (conn_->Changes() != 1) return InsertOutcome::kDuplicate;
  SH_ASSIGN_OR_RETURN(Statement * payload, cache_.Get(kInsertEventPayloadSql));
  payload->BindInt64(1, conn_->LastInsertRowid());
  payload->BindBlob(2, event.payload);
  status = payload->Run();
  payload->Reset();
  if (!status.ok()) return status.Annotate("insert payload of event " + event.id);
  return InsertOutcome::kInserted;
}

util::Status BatchExecutor::RunWork(PendingWork& work, util::Status* work_status) {
  SH_RETURN_IF_ERROR(conn_->Exec("SAVEPOINT work"));
  WriteTxn txn(*conn_, cache_, clock_);
  *work_status = CallWork(work, txn);
  // A storage error inside the work may have ended the whole transaction; then the batch fails.
  if (!conn_->InTransaction()) {
    return work_status->ok() ? util::UnavailableError("write transaction ended by the work")
                             : *work_status;
  }
  if (!work_status->ok()) SH_RETURN_IF_ERROR(conn_->Exec("ROLLBACK TO work"));
  return conn_->Exec("RELEASE work");
}

void BatchExecutor::Hold(std::vector<PendingWrite>& batch, std::vector<HeldWork>& held) {
  for (size_t i = 0; i < batch.size(); ++i) {
    held.push_back({std::move(std::get<PendingWork>(batch[i]).done), results_[i].work_status});
  }
}

void BatchExecutor::Release(std::vector<HeldWork>& held, const util::Status& sync) {
  for (HeldWork& work : held) RunCallback([&] { work.done(sync.ok() ? work.own : sync); });
  held.clear();
}

void BatchExecutor::Deliver(std::vector<PendingWrite>& batch, const util::Status& batch_status) {
  const std::vector<Result>& results = results_;
  for (size_t i = 0; i < batch.size(); ++i) {
    RunCallback([&] {
      if (auto* insert = std::get_if<PendingInsert>(&batch[i])) {
        if (batch_status.ok()) {
          insert->done(results[i].outcome);
        } else {
          insert->done(batch_status);
        }
      } else {
        const util::Status& own = results[i].work_status;
        std::get<PendingWork>(batch[i]).done(!batch_status.ok() ? batch_status : own);
      }
    });
  }
}

}  // namespace stripehook::store::sqlite
