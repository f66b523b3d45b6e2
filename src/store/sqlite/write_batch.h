#pragma once

#include <memory>
#include <variant>
#include <vector>

#include "store/event.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/statement_cache.h"
#include "store/sqlite/write_txn.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

struct PendingInsert {
  NewEvent event;
  InsertCallback done;
};
struct PendingWork {
  WriteWork work;
  WriteDone done;
};
using PendingWrite = std::variant<PendingInsert, PendingWork>;

// Commits a batch of writes in ONE transaction on the writer connection, then runs each write's
// callback: group commit, so a whole batch costs one fsync. Used only by the writer thread.
//
// Inserts use INSERT ... ON CONFLICT (id) DO NOTHING: a row changed means kInserted, none
// means the id was already stored, by an earlier batch or earlier in this one: kDuplicate.
// When BEGIN, a statement or COMMIT fails, the transaction is rolled back and every callback of
// the batch gets the error: kDeadlineExceeded if the database stayed locked past busy_timeout,
// otherwise kUnavailable. The connection stays usable for the next batch.
class BatchExecutor {
 public:
  // A work's callback held back, with the work's own outcome, until a sync covers its commit.
  struct HeldWork {
    WriteDone done;
    util::Status own;
  };

  BatchExecutor(std::unique_ptr<Connection> conn, const util::Clock& clock);

  // Applies and commits `batch`; returns the status of its transaction (OK when committed).
  // With `defer_sync`, on the WAL-buffering VFS, the commit writes its frames but leaves its fsync
  // owed (wal_buffering_vfs.h): SyncOwed() is then true until a later sync of the WAL makes it up.
  // On another VFS the commit syncs as usual and nothing is ever owed.
  util::Status Execute(std::vector<PendingWrite>& batch, bool defer_sync = false);
  // Then runs every callback of that batch with its outcome (or the batch's error).
  void Deliver(std::vector<PendingWrite>& batch, const util::Status& batch_status);
  // Or, for a batch of works committed with its sync owed, moves their callbacks to `held`.
  void Hold(std::vector<PendingWrite>& batch, std::vector<HeldWork>& held);
  // Runs held callbacks: each with its work's outcome once `sync` is OK, else with `sync`.
  static void Release(std::vector<HeldWork>& held, const util::Status& sync);

  bool SyncOwed();
  // Makes the owed sync of the WAL (OK at once when none is owed).
  util::Status SyncWal();

 private:
  // Per write: the outcome of an insert, or the status of a unit of work.
  struct Result {
    InsertOutcome outcome = InsertOutcome::kInserted;
    util::Status work_status;
  };

  util::Status ApplyAll(std::vector<PendingWrite>& batch, std::vector<Result>& results);
  util::StatusOr<InsertOutcome> Insert(const NewEvent& event);
  // The error is the batch's; the work's own failure goes to *work_status.
  util::Status RunWork(PendingWork& work, util::Status* work_status);

  // Turns kDeferWalSyncFcntl on or off.
  void DeferSync(bool on);

  std::unique_ptr<Connection> conn_;
  bool can_defer_sync_ = false;  // the WAL-buffering VFS is on top
  StatementCache cache_;
  const util::Clock& clock_;
  std::vector<Result> results_;  // of the batch last executed
};

}  // namespace stripehook::store::sqlite
