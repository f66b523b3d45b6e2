// SqliteStore's processing, record, audit and outbox methods (the rest is in sqlite_store.cpp).
#include <memory>
#include <utility>

#include "store/sqlite/processing_writes.h"
#include "store/sqlite/record_queries.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/write_and_wait.h"

namespace stripehook::store::sqlite {

util::StatusOr<std::vector<StoredEvent>> SqliteStore::DueEvents(int64_t now_us, int limit) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryDueEvents(lease.conn(), now_us, limit);
}

util::Status SqliteStore::CommitProcessing(ProcessingCommit commit) {
  if (commit.empty()) return util::OkStatus();
  auto shared = std::make_shared<const ProcessingCommit>(std::move(commit));
  auto last_outbox_seq = std::make_shared<int64_t>(0);
  SH_RETURN_IF_ERROR(SubmitAndWait(*this, [shared, last_outbox_seq](WriteTxn& txn) {
    return ApplyProcessingCommit(txn, *shared, last_outbox_seq.get());
  }));
  // The writer answers only after a sync has covered the commit: its rows may go out now.
  RaiseDeliverableOutbox(*last_outbox_seq);
  return util::OkStatus();
}

void SqliteStore::RaiseDeliverableOutbox(int64_t seq) {
  int64_t known = deliverable_outbox_seq_.load(std::memory_order_relaxed);
  while (seq > known && !deliverable_outbox_seq_.compare_exchange_weak(known, seq)) {
  }
}

util::Status SqliteStore::ForEachRecord(const std::function<void(RecordRow&&)>& visit) {
  ReadPool::Lease lease = readers_->Acquire();
  return VisitRecords(lease.conn(), visit);
}

util::Status SqliteStore::ForEachEventInOrder(const std::function<void(StoredEvent&&)>& visit) {
  ReadPool::Lease lease = readers_->Acquire();
  return VisitEventsInOrder(lease.conn(), visit);
}

util::StatusOr<int64_t> SqliteStore::RequeueEvents(const std::optional<std::string>& id) {
  // Written by the work on the writer thread, read here after the future has synchronized.
  auto requeued = std::make_shared<int64_t>(0);
  SH_RETURN_IF_ERROR(SubmitAndWait(*this, [requeued, id](WriteTxn& txn) -> util::Status {
    SH_ASSIGN_OR_RETURN(*requeued, RequeueInTxn(txn, id));
    return util::OkStatus();
  }));
  return *requeued;
}

util::StatusOr<std::optional<RecordRow>> SqliteStore::GetRecord(std::string_view table,
                                                                std::string_view key) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryRecord(lease.conn(), table, key);
}

util::StatusOr<std::vector<AuditRow>> SqliteStore::AuditForEvent(std::string_view event_id) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryAuditForEvent(lease.conn(), event_id);
}

util::StatusOr<int64_t> SqliteStore::CountAudit() {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryAuditCount(lease.conn());
}

util::StatusOr<int64_t> SqliteStore::CountOutbox() {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryOutboxCount(lease.conn());
}

}  // namespace stripehook::store::sqlite
