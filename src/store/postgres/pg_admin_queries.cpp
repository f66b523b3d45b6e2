#include "store/postgres/pg_admin_queries.h"

#include <algorithm>
#include <string>
#include <utility>

#include "store/postgres/pg_arrays.h"
#include "store/postgres/pg_event_rows.h"

namespace stripehook::store::postgres {
namespace {

constexpr int kMaxLimit = 1000;
constexpr size_t kMaxObjects = 500;

// The received_at range as a seq range: events_received gives each end in one descent.
constexpr std::string_view kFirstSeqReceivedFrom =
    "SELECT seq FROM events WHERE received_at >= $1 ORDER BY received_at, seq LIMIT 1";
constexpr std::string_view kLastSeqReceivedBefore =
    "SELECT seq FROM events WHERE received_at < $1 ORDER BY received_at DESC, seq DESC LIMIT 1";
constexpr std::string_view kSeqById = "SELECT seq FROM events WHERE id = $1";
constexpr std::string_view kStatsByTypeStatus =
    "SELECT type, status, count(*) FROM events WHERE seq >= $1 GROUP BY type, status";
constexpr std::string_view kLatencies =
    "SELECT processed_at - received_at FROM events WHERE seq >= $1 AND processed_at IS NOT NULL "
    "ORDER BY seq DESC LIMIT $2";
// An event is kept while it is the newest processed snapshot of its object (by created, then
// arrival): deleting it would leave state resting on a snapshot the inbox no longer has.
// NOT IN (SELECT unnest(...)) is planned as a hashed subplan: one probe per candidate row,
// however large the keep-set.
constexpr std::string_view kCleanupBatch =
    "DELETE FROM events WHERE seq IN ("
    "SELECT e.seq FROM events e WHERE e.received_at < $1 "
    "AND e.status IN ('processed', 'ignored', 'stale') AND e.type <> 'customer.deleted' "
    "AND e.id NOT IN (SELECT unnest($3::text[])) "
    "AND EXISTS (SELECT 1 FROM events n WHERE n.object_id = e.object_id "
    "AND n.status = 'processed' AND (n.created > e.created OR "
    "(n.created = e.created AND n.seq > e.seq))) "
    "ORDER BY e.seq LIMIT $2)";

// A WHERE clause assembled from the filter; each clause's "$?" becomes its parameter's number.
struct Where {
  std::string sql;
  std::vector<PgParam> params;

  void Add(std::string_view clause, PgParam value) {
    params.push_back(std::move(value));
    std::string text(clause);
    std::string placeholder = "$";
    placeholder += std::to_string(params.size());
    text.replace(text.find("$?"), 2, placeholder);
    sql += (sql.empty() ? " WHERE " : " AND ") + text;
  }
};

util::StatusOr<std::optional<int64_t>> OptionalSeq(PgConnection& conn, std::string_view sql,
                                                   PgParam param) {
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(std::string(sql), {std::move(param)}));
  if (res.rows() == 0) return std::optional<int64_t>();
  return std::optional<int64_t>(res.Int64(0, 0));
}

// Adds `seq` bounds for the arrival-time range; false when the range holds no event at all.
// "+ 0" keeps the planner walking seq order instead of events_received (as SQLite's unary +).
util::StatusOr<bool> AddReceivedRange(PgConnection& conn, const AdminEventFilter& f, Where& w) {
  if (f.received_gte_us) {
    SH_ASSIGN_OR_RETURN(std::optional<int64_t> lo,
                        OptionalSeq(conn, kFirstSeqReceivedFrom, PgParam::Int(*f.received_gte_us)));
    if (!lo) return false;
    w.Add("seq >= $?", PgParam::Int(*lo));
    w.Add("received_at + 0 >= $?", PgParam::Int(*f.received_gte_us));
  }
  if (f.received_lt_us) {
    SH_ASSIGN_OR_RETURN(std::optional<int64_t> hi,
                        OptionalSeq(conn, kLastSeqReceivedBefore, PgParam::Int(*f.received_lt_us)));
    if (!hi) return false;
    w.Add("seq <= $?", PgParam::Int(*hi));
    w.Add("received_at + 0 < $?", PgParam::Int(*f.received_lt_us));
  }
  return true;
}

// Builds the WHERE clause; false when no row can match (empty time range).
util::StatusOr<bool> BuildWhere(PgConnection& conn, const AdminEventFilter& f, Where& w) {
  if (f.status) w.Add("status = $?", PgParam::Text(std::string(EventStatusName(*f.status))));
  if (f.type) w.Add("type = $?", PgParam::Text(*f.type));
  if (f.object_id) w.Add("object_id = $?", PgParam::Text(*f.object_id));
  if (!f.object_ids_any.empty()) {
    if (f.object_ids_any.size() > kMaxObjects) {
      return util::InvalidArgumentError("too many objects to filter by (at most 500)");
    }
    w.Add("object_id = ANY($?::text[])", TextArrayParam(f.object_ids_any));
  }
  if (f.created_gte) w.Add("created >= $?", PgParam::Int(*f.created_gte));
  if (f.created_lt) w.Add("created < $?", PgParam::Int(*f.created_lt));
  if (f.starting_after) {
    SH_ASSIGN_OR_RETURN(std::optional<int64_t> seq,
                        OptionalSeq(conn, kSeqById, PgParam::Text(*f.starting_after)));
    if (!seq) return util::InvalidArgumentError("starting_after: no event " + *f.starting_after);
    w.Add("seq < $?", PgParam::Int(*seq));
  }
  return AddReceivedRange(conn, f, w);
}

util::Status ReadCounts(PgConnection& conn, int64_t first_seq, EventWindowStats& stats) {
  SH_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query(std::string(kStatsByTypeStatus), {PgParam::Int(first_seq)}));
  for (int row = 0; row < res.rows(); ++row) {
    std::string status = res.String(row, 1);
    int64_t count = res.Int64(row, 2);
    stats.total += count;
    stats.by_status[status] += count;
    stats.by_type[res.String(row, 0)][status] += count;
  }
  return util::OkStatus();
}

util::Status ReadLatencies(PgConnection& conn, int64_t first_seq, EventWindowStats& stats) {
  SH_ASSIGN_OR_RETURN(
      PgResult res,
      conn.Query(std::string(kLatencies),
                 {PgParam::Int(first_seq), PgParam::Int(EventWindowStats::kMaxLatencySamples)}));
  stats.processing_latency_us.reserve(static_cast<size_t>(res.rows()));
  for (int row = 0; row < res.rows(); ++row) {
    stats.processing_latency_us.push_back(std::max<int64_t>(0, res.Int64(row, 0)));
  }
  std::sort(stats.processing_latency_us.begin(), stats.processing_latency_us.end());
  return util::OkStatus();
}

}  // namespace

util::StatusOr<EventPage> QueryAdminEvents(PgConnection& conn, const AdminEventFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxLimit) {
    return util::InvalidArgumentError("limit must be between 1 and 1000");
  }
  // No shared snapshot needed: seq never changes for a row, and the received_at bounds are
  // checked on the rows themselves as well.
  Where where;
  SH_ASSIGN_OR_RETURN(bool any, BuildWhere(conn, filter, where));
  if (!any) return EventPage{};
  // The limit is part of the text (a bound integer of ours), not a parameter: a generic plan with
  // an unknown LIMIT may prefer sorting the whole match to walking an index in seq order. One
  // extra row tells has_more without a second query.
  std::string sql = "SELECT " + std::string(kPgEventColumns) + " FROM events" + where.sql +
                    " ORDER BY seq DESC LIMIT " + std::to_string(filter.limit + 1);
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, where.params));
  EventPage page;
  for (int row = 0; row < res.rows() && row < filter.limit; ++row) {
    SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(res, row));
    page.events.push_back(std::move(event));
  }
  page.has_more = res.rows() > filter.limit;
  return page;
}

util::StatusOr<EventWindowStats> QueryStatsSince(PgConnection& conn, int64_t since_us) {
  // The counts and the latencies describe the same set of rows.
  PgTransaction snapshot(conn);
  SH_RETURN_IF_ERROR(snapshot.Begin("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  EventWindowStats stats;
  SH_ASSIGN_OR_RETURN(std::optional<int64_t> first_seq,
                      OptionalSeq(conn, kFirstSeqReceivedFrom, PgParam::Int(since_us)));
  if (first_seq) {
    SH_RETURN_IF_ERROR(ReadCounts(conn, *first_seq, stats));
    SH_RETURN_IF_ERROR(ReadLatencies(conn, *first_seq, stats));
  }
  SH_RETURN_IF_ERROR(snapshot.Commit());
  return stats;
}

util::StatusOr<InboxBacklog> QueryBacklog(PgConnection& conn) {
  // One statement is one snapshot: the counts agree with each other.
  SH_ASSIGN_OR_RETURN(
      PgResult res,
      conn.Query("SELECT "
                 "(SELECT count(*) FROM events WHERE status = 'pending'), "
                 "(SELECT count(*) FROM events WHERE status = 'failed'), "
                 "(SELECT count(*) FROM events WHERE status = 'dead'), "
                 "(SELECT received_at FROM events WHERE status = 'pending' ORDER BY seq LIMIT 1), "
                 "(SELECT count(*) FROM outbox WHERE status IN ('pending', 'failed'))",
                 {}));
  InboxBacklog backlog;
  backlog.pending = res.Int64(0, 0);
  backlog.failed = res.Int64(0, 1);
  backlog.dead = res.Int64(0, 2);
  backlog.oldest_pending_received_us = res.OptionalInt64(0, 3);
  backlog.outbox_open = res.Int64(0, 4);
  return backlog;
}

util::StatusOr<std::optional<StoredEvent>> QueryLatestEventForObject(PgConnection& conn,
                                                                     std::string_view object_id) {
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT " + std::string(kPgEventColumns) +
                                                   " FROM events WHERE object_id = $1 "
                                                   "ORDER BY created DESC, seq DESC LIMIT 1",
                                               {PgParam::Text(std::string(object_id))}));
  if (res.rows() == 0) return std::optional<StoredEvent>();
  SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(res, 0));
  return std::optional<StoredEvent>(std::move(event));
}

util::StatusOr<int64_t> CleanupBatch(PgConnection& conn, int64_t received_before_us,
                                     const PgParam& keep, int batch) {
  SH_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query(std::string(kCleanupBatch),
                                 {PgParam::Int(received_before_us), PgParam::Int(batch), keep}));
  return res.Affected();
}

}  // namespace stripehook::store::postgres
