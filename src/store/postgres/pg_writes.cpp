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
