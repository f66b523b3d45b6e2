#include "store/sqlite/record_queries.h"

#include <utility>

#include "store/sqlite/event_rows.h"
#include "store/sqlite/transaction.h"

namespace stripehook::store::sqlite {
namespace {

// The sort runs over (created, seq) pairs only, never over payloads: each row is then fetched by
// its rowid, so rebuild holds one payload at a time whatever the size of the inbox.
constexpr std::string_view kSelectSeqByCreated = "SELECT seq FROM events ORDER BY created, seq";
constexpr std::string_view kSelectRecords =
    "SELECT table_name, key, doc FROM billing_records ORDER BY table_name, key";
constexpr std::string_view kSelectRecord =
    "SELECT doc FROM billing_records WHERE table_name = ? AND key = ?";
constexpr std::string_view kSelectAuditForEvent =
    "SELECT event_id, table_name, key, change, at FROM audit_log WHERE event_id = ? ORDER BY seq";
constexpr std::string_view kCountAudit = "SELECT count(*) FROM audit_log";
constexpr std::string_view kCountOutbox = "SELECT count(*) FROM outbox";

util::StatusOr<int64_t> QueryCount(Connection& conn, std::string_view sql) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt64(0) : 0;
}

}  // namespace

// Two index-only walks pick the candidate seqs: the head of the 'pending' range of
// events_status, and the due part of the partial index events_retry_due (INDEXED BY because,
// without statistics, SQLite prefers events_status for its seq order and would then read every
// failed row, due or not). Each side is cut to `limit` before the merge; the outer query reads
// the rows by rowid in seq order.
std::string DueEventsSql() {
  return "SELECT " + std::string(kEventColumns) +
         " FROM events WHERE seq IN ("
         "SELECT seq FROM (SELECT seq FROM events WHERE status = 'pending' "
         "ORDER BY seq LIMIT ?1) "
         "UNION ALL "
         "SELECT seq FROM (SELECT seq FROM events INDEXED BY events_retry_due "
         "WHERE status = 'failed' AND next_attempt_at <= ?2 ORDER BY seq LIMIT ?1)) "
         "ORDER BY seq LIMIT ?1";
}

util::StatusOr<std::vector<StoredEvent>> QueryDueEvents(Connection& conn, int64_t now_us,
                                                        int limit) {
  if (limit < 1) return util::InvalidArgumentError("limit must be at least 1");
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(DueEventsSql()));
  stmt.BindInt64(1, limit);
  stmt.BindInt64(2, now_us);
  std::vector<StoredEvent> due;
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(stmt, DamagedPayload::kReport));
    due.push_back(std::move(event));
  }
  return due;
}

util::Status VisitEventsInOrder(Connection& conn, const std::function<void(StoredEvent&&)>& visit) {
  Transaction snapshot(conn);
  SH_RETURN_IF_ERROR(snapshot.Begin(Transaction::Mode::kDeferred));
  SH_ASSIGN_OR_RETURN(Statement order, conn.Prepare(kSelectSeqByCreated));
  SH_ASSIGN_OR_RETURN(Statement fetch, conn.Prepare("SELECT " + std::string(kEventColumns) +
                                                    " FROM events WHERE seq = ?"));
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, order.Step());
    if (!row) return util::OkStatus();
    fetch.Reset();
    fetch.BindInt64(1, order.ColumnInt64(0));
    SH_ASSIGN_OR_RETURN(bool found, fetch.Step());
    if (!found) return util::InternalError("event row vanished inside a read snapshot");
    SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(fetch));
    visit(std::move(event));
  }
}

util::Status VisitRecords(Connection& conn, const std::function<void(RecordRow&&)>& visit) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSelectRecords));
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return util::OkStatus();
    visit(RecordRow{stmt.ColumnString(0), stmt.ColumnString(1), stmt.ColumnString(2)});
  }
}

util::StatusOr<std::optional<RecordRow>> QueryRecord(Connection& conn, std::string_view table,
                                                     std::string_view key) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSelectRecord));
  stmt.BindText(1, table);
  stmt.BindText(2, key);
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<RecordRow>();
  return std::optional<RecordRow>(
      RecordRow{std::string(table), std::string(key), stmt.ColumnString(0)});
}

util::StatusOr<std::vector<AuditRow>> QueryAuditForEvent(Connection& conn,
                                                         std::string_view event_id) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSelectAuditForEvent));
  stmt.BindText(1, event_id);
  std::vector<AuditRow> rows;
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) return rows;
    rows.push_back(AuditRow{stmt.ColumnString(0), stmt.ColumnString(1), stmt.ColumnString(2),
                            stmt.ColumnString(3), stmt.ColumnInt64(4)});
  }
}

util::StatusOr<int64_t> QueryAuditCount(Connection& conn) { return QueryCount(conn, kCountAudit); }

util::StatusOr<int64_t> QueryOutboxCount(Connection& conn) {
  return QueryCount(conn, kCountOutbox);
}

}  // namespace stripehook::store::sqlite
