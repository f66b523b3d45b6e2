// SqliteStore's outbox delivery methods (notify/); queries in outbox_queries.cpp.
#include <memory>
#include <utility>

#include "store/sqlite/outbox_queries.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/write_and_wait.h"

namespace stripehook::store::sqlite {

util::StatusOr<std::vector<OutboxEntry>> SqliteStore::OpenOutbox(int64_t after_id, int limit) {
  ReadPool::Lease lease = readers_->Acquire();
  // A reader sees a commit before the sync that makes it durable (sync_delay): only rows known
  // to be synced go out, so a power loss cannot take back a notification already sent.
  return QueryOpenOutbox(lease.conn(), after_id, deliverable_outbox_seq_.load(), limit);
}

util::Status SqliteStore::UpdateOutbox(std::vector<OutboxUpdate> updates) {
  if (updates.empty()) return util::OkStatus();
  auto shared = std::make_shared<const std::vector<OutboxUpdate>>(std::move(updates));
  return SubmitAndWait(*this, [shared](WriteTxn& txn) { return UpdateOutboxInTxn(txn, *shared); });
}

util::StatusOr<OutboxPage> SqliteStore::ListOutbox(const OutboxFilter& filter) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryOutboxPage(lease.conn(), filter);
}

util::StatusOr<OutboxEntry> SqliteStore::GetOutbox(int64_t id) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryOutboxEntry(lease.conn(), id);
}

util::StatusOr<int64_t> SqliteStore::RequeueOutbox(std::optional<int64_t> id) {
  auto requeued = std::make_shared<int64_t>(0);
  SH_RETURN_IF_ERROR(SubmitAndWait(*this, [requeued, id](WriteTxn& txn) -> util::Status {
    SH_ASSIGN_OR_RETURN(*requeued, RequeueOutboxInTxn(txn, id));
    return util::OkStatus();
  }));
  return *requeued;
}

}  // namespace stripehook::store::sqlite
