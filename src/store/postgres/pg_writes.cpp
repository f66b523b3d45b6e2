#include "store/postgres/pg_writes.h"

#include <unordered_map>
#include <unordered_set>

#include "store/postgres/pg_event_rows.h"

namespace stripehook::store::postgres {
namespace {

// One prepared statement per batch size (the connection caches them by text).
std::string MultiRowInsertSql(size_t rows) {
  std::string sql = "INSERT INTO events (" + std::string(kPgInsertColumns) + ") VALUES ";
  int param = 1;
  for (size_t r = 0; r < rows; ++r) {
    sql += r == 0 ? "(" : ",(";
    for (int c = 0; c < kPgInsertParams; ++c) {
      if (c > 0) sql += ',';
      sql += '$' + std::to_string(param++);
    }
    sql += ')';
  }
  return sql + " ON CONFLICT (id) DO NOTHING RETURNING id";
}

util::Status WriteRecord(PgConnection& conn, const RecordWrite& write, int64_t now_us) {
  // Every write takes a new rev (the column's default, from a sequence) and a delete leaves a
  // tombstone (doc NULL): other instances follow the table by rev (pg_cluster.h).
  if (!write.doc) {
    return conn
        .Run(
            "UPDATE billing_records SET doc = NULL, updated_at = $3, "
            "rev = nextval('billing_records_rev_seq') "
            "WHERE table_name = $1 AND key = $2 AND doc IS NOT NULL",
            {PgParam::Text(write.table), PgParam::Text(write.key), PgParam::Int(now_us)})
        .Annotate("delete record " + write.table + "/" + write.key);
  }
  return conn
      .Run(
          "INSERT INTO billing_records (table_name, key, doc, updated_at) "
          "VALUES ($1, $2, $3, $4) ON CONFLICT (table_name, key) "
          "DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at, rev = excluded.rev",
          {PgParam::Text(write.table), PgParam::Text(write.key), PgParam::Text(*write.doc),
           PgParam::Int(now_us)})
      .Annotate("upsert record " + write.table + "/" + write.key);
}

util::Status WriteAudit(PgConnection& conn, const AuditRow& row) {
  return conn.Run(
      "INSERT INTO audit_log (event_id, table_name, key, change, at) VALUES ($1, $2, $3, $4, $5)",
      {PgParam::Text(row.event_id), PgParam::Text(row.table), PgParam::Text(row.key),
       PgParam::Text(row.change), PgParam::Int(row.at_us)});
}

util::Status WriteOutbox(PgConnection& conn, const OutboxRow& row) {
  return conn.Run(
      "INSERT INTO outbox (event_id, type, user_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
      {PgParam::Text(row.event_id), PgParam::Text(row.type), PgParam::Text(row.user_id),
       PgParam::Text(row.body), PgParam::Int(row.created_at_us)});
}

util::Status WriteEventStatus(PgConnection& conn, const EventStatusUpdate& update) {
  SH_ASSIGN_OR_RETURN(
      PgResult res,
      conn.Query("UPDATE events SET status = $1, attempts = $2, next_attempt_at = $3, "
                 "last_error = $4, processed_at = $5 WHERE id = $6",
                 {PgParam::Text(std::string(EventStatusName(update.status))),
                  PgParam::Int(update.attempts), PgParam::OptInt(update.next_attempt_at_us),
                  PgParam::OptText(update.last_error), PgParam::OptInt(update.processed_at_us),
                  PgParam::Text(update.id)}));
  // A status for an event we do not hold means the caller's view is wrong (as in SQLite).
  if (res.Affected() != 1) return util::NotFoundError("no event " + update.id + " to update");
  return util::OkStatus();
}

}  // namespace

util::StatusOr<std::vector<InsertOutcome>> InsertEvents(
    PgConnection& conn, const std::vector<const NewEvent*>& events) {
  std::vector<PgParam> params;
  params.reserve(events.size() * kPgInsertParams);
  for (const NewEvent* event : events) AppendEventParams(*event, params);
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(MultiRowInsertSql(events.size()), params));
  std::unordered_set<std::string> inserted;
  for (int row = 0; row < res.rows(); ++row) inserted.insert(res.String(row, 0));
  std::vector<InsertOutcome> outcomes;
  outcomes.reserve(events.size());
  for (const NewEvent* event : events) {
    // erase: a second occurrence of the id in this batch is a duplicate of the first.
    outcomes.push_back(inserted.erase(event->id) == 1 ? InsertOutcome::kInserted
                                                      : InsertOutcome::kDuplicate);
  }
  return outcomes;
}

util::Status ApplyProcessingCommit(PgConnection& conn, const ProcessingCommit& commit,
                                   int64_t now_us) {
  for (const RecordWrite& write : commit.records) {
    SH_RETURN_IF_ERROR(WriteRecord(conn, write, now_us));
  }
  for (const AuditRow& row : commit.audit) SH_RETURN_IF_ERROR(WriteAudit(conn, row));
  for (const OutboxRow& row : commit.outbox) SH_RETURN_IF_ERROR(WriteOutbox(conn, row));
  for (const EventStatusUpdate& update : commit.events) {
    SH_RETURN_IF_ERROR(WriteEventStatus(conn, update));
  }
  return util::OkStatus();
}

util::StatusOr<int64_t> RequeueInTxn(PgConnection& conn, const std::optional<std::string>& id) {
  if (!id) {
    SH_ASSIGN_OR_RETURN(PgResult all,
                        conn.Query("UPDATE events SET status = 'pending', next_attempt_at = NULL "
                                   "WHERE status IN ('failed', 'dead')",
                                   {}));
    return all.Affected();
  }
  // FOR UPDATE: the status checked is the status changed, whatever other instances do.
  SH_ASSIGN_OR_RETURN(PgResult found, conn.Query("SELECT status FROM events WHERE id = $1 "
                                                 "FOR UPDATE",
                                                 {PgParam::Text(*id)}));
  if (found.rows() == 0) return util::NotFoundError("no event " + *id);
  std::string status = found.String(0, 0);
  if (status != "failed" && status != "dead") {
    return util::FailedPreconditionError("event " + *id + " is " + status +
                                         "; only failed or dead events can be requeued");
  }
  SH_ASSIGN_OR_RETURN(PgResult one, conn.Query("UPDATE events SET status = 'pending', "
                                               "next_attempt_at = NULL WHERE id = $1",
                                               {PgParam::Text(*id)}));
  return one.Affected();
}

}  // namespace stripehook::store::postgres
