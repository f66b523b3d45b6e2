#include "store/postgres/pg_queries.h"

#include <string>
#include <utility>

#include "store/postgres/pg_event_rows.h"

namespace stripehook::store::postgres {
namespace {

constexpr int kMaxLimit = 1000;
// Rows per FETCH from a cursor: bounds the memory of a full walk (rebuild) whatever its size.
constexpr int kFetchRows = 64;

std::string SelectEvents(std::string_view rest) {
  return "SELECT " + std::string(kPgEventColumns) + " FROM events " + std::string(rest);
}

util::StatusOr<std::vector<StoredEvent>> ReadEvents(const PgResult& res, int max_rows) {
  std::vector<StoredEvent> events;
  for (int row = 0; row < res.rows() && row < max_rows; ++row) {
    SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(res, row));
    events.push_back(std::move(event));
  }
  return events;
}

// A WHERE clause assembled from the filter; every value is a $n parameter.
struct ListQuery {
  std::string where;
  std::vector<PgParam> params;
  void Add(std::string_view clause, PgParam value) {
    params.push_back(std::move(value));
    where += where.empty() ? "WHERE " : " AND ";
    where += std::string(clause) + " $" + std::to_string(params.size());
  }
};

util::StatusOr<int64_t> SeqOf(PgConnection& conn, const std::string& id) {
  SH_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query("SELECT seq FROM events WHERE id = $1", {PgParam::Text(id)}));
  if (res.rows() == 0) return util::InvalidArgumentError("starting_after: no event " + id);
  return res.Int64(0, 0);
}

// Walks `cursor_sql` through a cursor inside a snapshot, kFetchRows at a time.
util::Status WalkCursor(PgConnection& conn, const std::string& cursor_sql,
                        const std::function<util::Status(const PgResult&, int)>& row_fn) {
  PgTransaction snapshot(conn);
  SH_RETURN_IF_ERROR(snapshot.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  SH_RETURN_IF_ERROR(conn.Exec("DECLARE walk NO SCROLL CURSOR FOR " + cursor_sql));
  const std::string fetch = "FETCH " + std::to_string(kFetchRows) + " FROM walk";
  while (true) {
    SH_ASSIGN_OR_RETURN(PgResult res, conn.ExecRows(fetch));
    for (int row = 0; row < res.rows(); ++row) SH_RETURN_IF_ERROR(row_fn(res, row));
    if (res.rows() < kFetchRows) break;
  }
  return snapshot.Commit();
}

}  // namespace

util::StatusOr<StoredEvent> QueryEvent(PgConnection& conn, std::string_view id) {
  SH_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query(SelectEvents("WHERE id = $1"), {PgParam::Text(std::string(id))}));
  if (res.rows() == 0) return util::NotFoundError("no event " + std::string(id));
  return ReadStoredEvent(res, 0);
}

util::StatusOr<EventPage> QueryEvents(PgConnection& conn, const EventFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxLimit) {
    return util::InvalidArgumentError("limit must be between 1 and 1000");
  }
  ListQuery q;
  if (filter.status) q.Add("status =", PgParam::Text(std::string(EventStatusName(*filter.status))));
  if (filter.type) q.Add("type =", PgParam::Text(*filter.type));
  if (filter.object_id) q.Add("object_id =", PgParam::Text(*filter.object_id));
  if (filter.created_gte) q.Add("created >=", PgParam::Int(*filter.created_gte));
  if (filter.created_lt) q.Add("created <", PgParam::Int(*filter.created_lt));
  if (filter.starting_after) {
    // seq never changes for a row, so the lookup needs no shared snapshot with the page.
    SH_ASSIGN_OR_RETURN(int64_t seq, SeqOf(conn, *filter.starting_after));
    q.Add("seq <", PgParam::Int(seq));
  }
  // One extra row tells has_more without a second query.
  q.params.push_back(PgParam::Int(filter.limit + 1));
  std::string sql =
      SelectEvents(q.where + " ORDER BY seq DESC LIMIT $" + std::to_string(q.params.size()));
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, q.params));
  EventPage page;
  SH_ASSIGN_OR_RETURN(page.events, ReadEvents(res, filter.limit));
  page.has_more = res.rows() > filter.limit;
  return page;
}

util::StatusOr<std::vector<StoredEvent>> QueryDueEvents(PgConnection& conn, int64_t now_us,
                                                        int limit) {
  if (limit < 1) return util::InvalidArgumentError("limit must be at least 1");
  // Both sides walk an index (events_status; the partial events_retry_due) and stop at `limit`.
  static const std::string sql = SelectEvents(
      "WHERE seq IN ("
      "(SELECT seq FROM events WHERE status = 'pending' ORDER BY seq LIMIT $1) UNION ALL "
      "(SELECT seq FROM events WHERE status = 'failed' AND next_attempt_at <= $2 "
      "ORDER BY seq LIMIT $1)) ORDER BY seq LIMIT $1");
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, {PgParam::Int(limit), PgParam::Int(now_us)}));
  return ReadEvents(res, limit);
}

util::Status VisitEventsInOrder(PgConnection& conn,
                                const std::function<void(StoredEvent&&)>& visit) {
  return WalkCursor(conn, SelectEvents("ORDER BY created, seq"),
                    [&](const PgResult& res, int row) -> util::Status {
                      SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(res, row));
                      visit(std::move(event));
                      return util::OkStatus();
                    });
}

util::Status VisitRecords(PgConnection& conn, const std::function<void(RecordRow&&)>& visit) {
  // COLLATE "C": the same byte order as SQLite's, whatever the database's locale.
  return WalkCursor(conn,
                    "SELECT table_name, key, doc FROM billing_records WHERE doc IS NOT NULL "
                    "ORDER BY table_name COLLATE \"C\", key COLLATE \"C\"",
                    [&](const PgResult& res, int row) {
                      visit(RecordRow{res.String(row, 0), res.String(row, 1), res.String(row, 2)});
                      return util::OkStatus();
                    });
}

util::StatusOr<std::optional<RecordRow>> QueryRecord(PgConnection& conn, std::string_view table,
                                                     std::string_view key) {
  SH_ASSIGN_OR_RETURN(
      PgResult res,
      conn.Query("SELECT doc FROM billing_records WHERE table_name = $1 AND key = $2 "
                 "AND doc IS NOT NULL",
                 {PgParam::Text(std::string(table)), PgParam::Text(std::string(key))}));
  if (res.rows() == 0) return std::optional<RecordRow>();
  return std::optional<RecordRow>(
      RecordRow{std::string(table), std::string(key), res.String(0, 0)});
}

util::StatusOr<std::vector<AuditRow>> QueryAuditForEvent(PgConnection& conn,
                                                         std::string_view event_id) {
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT event_id, table_name, key, change, at "
                                               "FROM audit_log WHERE event_id = $1 ORDER BY seq",
                                               {PgParam::Text(std::string(event_id))}));
  std::vector<AuditRow> rows;
  for (int row = 0; row < res.rows(); ++row) {
    rows.push_back(AuditRow{res.String(row, 0), res.String(row, 1), res.String(row, 2),
                            res.String(row, 3), res.Int64(row, 4)});
  }
  return rows;
}

util::StatusOr<int64_t> QueryCount(PgConnection& conn, std::string_view table) {
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT count(*) FROM " + std::string(table), {}));
  return res.Int64(0, 0);
}

}  // namespace stripehook::store::postgres
