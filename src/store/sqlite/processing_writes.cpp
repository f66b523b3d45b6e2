#include "store/sqlite/processing_writes.h"

#include <string>

namespace stripehook::store::sqlite {
namespace {

constexpr std::string_view kUpsertRecord =
    "INSERT INTO billing_records (table_name, key, doc, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (table_name, key) DO UPDATE SET doc = excluded.doc, "
    "updated_at = excluded.updated_at";
constexpr std::string_view kDeleteRecord =
    "DELETE FROM billing_records WHERE table_name = ? AND key = ?";
constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (event_id, table_name, key, change, at) VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view kInsertOutbox =
    "INSERT INTO outbox (event_id, type, user_id, body, created_at) VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view kUpdateEventStatus =
    "UPDATE events SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
    "processed_at = ? WHERE id = ?";
constexpr std::string_view kSelectEventStatus = "SELECT status FROM events WHERE id = ?";
constexpr std::string_view kRequeueOne =
    "UPDATE events SET status = 'pending', next_attempt_at = NULL WHERE id = ?";
// Walks events_status for the two statuses only.
constexpr std::string_view kRequeueAll =
    "UPDATE events SET status = 'pending', next_attempt_at = NULL "
    "WHERE status IN ('failed', 'dead')";

// Runs a statement the caller has bound, then drops the bindings: they point into the commit,
// and the cached statement outlives it.
// `context` builds the error context only on failure (this runs once per row of a commit).
template <typename Context>
util::Status RunAndReset(Statement& stmt, Context context) {
  util::Status status = stmt.Run();
  stmt.Reset();
  return status.ok() ? status : status.Annotate(context());
}

util::Status WriteRecord(WriteTxn& txn, const RecordWrite& write, int64_t now_us) {
  if (!write.doc) {
    SH_ASSIGN_OR_RETURN(Statement * del, txn.Prepare(kDeleteRecord));
    del->BindText(1, write.table);
    del->BindText(2, write.key);
    return RunAndReset(*del, [&] { return "delete record " + write.table + "/" + write.key; });
  }
  SH_ASSIGN_OR_RETURN(Statement * upsert, txn.Prepare(kUpsertRecord));
  upsert->BindText(1, write.table);
  upsert->BindText(2, write.key);
  upsert->BindText(3, *write.doc);
  upsert->BindInt64(4, now_us);
  return RunAndReset(*upsert, [&] { return "upsert record " + write.table + "/" + write.key; });
}

util::Status WriteAudit(WriteTxn& txn, const AuditRow& row) {
  SH_ASSIGN_OR_RETURN(Statement * stmt, txn.Prepare(kInsertAudit));
  stmt->BindText(1, row.event_id);
  stmt->BindText(2, row.table);
  stmt->BindText(3, row.key);
  stmt->BindText(4, row.change);
  stmt->BindInt64(5, row.at_us);
  return RunAndReset(*stmt, [&] { return "insert audit row for " + row.event_id; });
}

util::Status WriteOutbox(WriteTxn& txn, const OutboxRow& row) {
  SH_ASSIGN_OR_RETURN(Statement * stmt, txn.Prepare(kInsertOutbox));
  stmt->BindText(1, row.event_id);
  stmt->BindText(2, row.type);
  stmt->BindText(3, row.user_id);
  stmt->BindText(4, row.body);
  stmt->BindInt64(5, row.created_at_us);
  return RunAndReset(*stmt, [&] { return "insert outbox row for " + row.event_id; });
}

util::Status WriteEventStatus(WriteTxn& txn, const EventStatusUpdate& update) {
  SH_ASSIGN_OR_RETURN(Statement * stmt, txn.Prepare(kUpdateEventStatus));
  stmt->BindText(1, EventStatusName(update.status));
  stmt->BindInt64(2, update.attempts);
  stmt->BindOptionalInt64(3, update.next_attempt_at_us);
  stmt->BindOptionalText(4, update.last_error);
  stmt->BindOptionalInt64(5, update.processed_at_us);
  stmt->BindText(6, update.id);
  SH_RETURN_IF_ERROR(RunAndReset(*stmt, [&] { return "update status of " + update.id; }));
  // A status for an event we do not hold means the caller's view is wrong; committing the rest
  // would record effects of an event the inbox cannot show.
  if (txn.Changes() != 1) return util::NotFoundError("no event " + update.id + " to update");
  return util::OkStatus();
}

}  // namespace

util::Status ApplyProcessingCommit(WriteTxn& txn, const ProcessingCommit& commit,
                                   int64_t* last_outbox_seq) {
  const int64_t now_us = txn.clock().NowUnixMicros();
  for (const RecordWrite& write : commit.records)
    SH_RETURN_IF_ERROR(WriteRecord(txn, write, now_us));
  for (const AuditRow& row : commit.audit) SH_RETURN_IF_ERROR(WriteAudit(txn, row));
  for (const OutboxRow& row : commit.outbox) {
    SH_RETURN_IF_ERROR(WriteOutbox(txn, row));
    if (last_outbox_seq != nullptr) *last_outbox_seq = txn.LastInsertRowid();
  }
  for (const EventStatusUpdate& update : commit.events) {
    SH_RETURN_IF_ERROR(WriteEventStatus(txn, update));
  }
  return util::OkStatus();
}

util::StatusOr<int64_t> RequeueInTxn(WriteTxn& txn, const std::optional<std::string>& id) {
  if (!id) {
    SH_ASSIGN_OR_RETURN(Statement * all, txn.Prepare(kRequeueAll));
    SH_RETURN_IF_ERROR(all->Run());
    return txn.Changes();
  }
  SH_ASSIGN_OR_RETURN(Statement * select, txn.Prepare(kSelectEventStatus));
  select->BindText(1, *id);
  SH_ASSIGN_OR_RETURN(bool found, select->Step());
  if (!found) {
    select->Reset();
    return util::NotFoundError("no event " + *id);
  }
  std::string status = select->ColumnString(0);
  select->Reset();
  if (status != "failed" && status != "dead") {
    return util::FailedPreconditionError("event " + *id + " is " + status +
                                         "; only failed or dead events can be requeued");
  }
  SH_ASSIGN_OR_RETURN(Statement * requeue, txn.Prepare(kRequeueOne));
  requeue->BindText(1, *id);
  SH_RETURN_IF_ERROR(RunAndReset(*requeue, [&] { return "requeue " + *id; }));
  return txn.Changes();
}

}  // namespace stripehook::store::sqlite
