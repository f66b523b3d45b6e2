// SqliteStore's admin read models and cleanup (see store.h).
#include <memory>
#include <utility>

#include "store/sqlite/admin_queries.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/write_and_wait.h"

namespace stripehook::store::sqlite {
namespace {

// Rows deleted per writer transaction: small enough that ingest commits queued behind a cleanup
// batch wait milliseconds, not seconds.
constexpr int kCleanupBatch = 2000;

util::StatusOr<int64_t> CleanupOnce(SqliteStore& store, int64_t received_before_us,
                                    std::shared_ptr<const std::string> keep_json) {
  auto deleted = std::make_shared<int64_t>(0);
  SH_RETURN_IF_ERROR(
      SubmitAndWait(store, [deleted, received_before_us, keep_json](WriteTxn& txn) -> util::Status {
        SH_ASSIGN_OR_RETURN(*deleted,
                            CleanupBatch(txn, received_before_us, *keep_json, kCleanupBatch));
        return util::OkStatus();
      }));
  return *deleted;
}

}  // namespace

util::StatusOr<EventPage> SqliteStore::ListEventsForAdmin(const AdminEventFilter& filter) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryAdminEvents(lease.conn(), filter);
}

util::StatusOr<EventWindowStats> SqliteStore::StatsSince(int64_t since_us) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryStatsSince(lease.conn(), since_us);
}

util::StatusOr<InboxBacklog> SqliteStore::Backlog() {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryBacklog(lease.conn());
}

util::StatusOr<std::optional<StoredEvent>> SqliteStore::LatestEventForObject(
    std::string_view object_id) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryLatestEventForObject(lease.conn(), object_id);
}

util::StatusOr<int64_t> SqliteStore::CleanupEvents(int64_t received_before_us,
                                                   const std::set<std::string>& keep) {
  auto keep_json = std::make_shared<const std::string>(JsonArrayOf(keep));
  int64_t total = 0;
  while (true) {
    SH_ASSIGN_OR_RETURN(int64_t deleted, CleanupOnce(*this, received_before_us, keep_json));
    total += deleted;
    if (deleted < kCleanupBatch) return total;
  }
}

}  // namespace stripehook::store::sqlite
