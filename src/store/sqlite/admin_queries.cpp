#include "store/sqlite/admin_queries.h"

#include <cstdio>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/event_rows.h"
#include "store/sqlite/transaction.h"

namespace stripehook::store::sqlite {
namespace {

constexpr int kMaxLimit = 1000;
constexpr std::string_view kSelectSeqById = "SELECT seq FROM events WHERE id = ?";
// The received_at range as a seq range: events_received gives each end in one descent.
constexpr std::string_view kFirstSeqReceivedFrom =
    "SELECT seq FROM events WHERE received_at >= ? ORDER BY received_at, seq LIMIT 1";
constexpr std::string_view kLastSeqReceivedBefore =
    "SELECT seq FROM events WHERE received_at < ? ORDER BY received_at DESC, seq DESC LIMIT 1";
constexpr std::string_view kStatsByTypeStatus =
    "SELECT type, status, count(*) FROM events WHERE seq >= ? GROUP BY type, status";
constexpr std::string_view kLatencies =
    "SELECT processed_at - received_at FROM events WHERE seq >= ? AND processed_at IS NOT NULL "
    "ORDER BY seq DESC LIMIT ?";
constexpr std::string_view kCountStatus = "SELECT count(*) FROM events WHERE status = ?";
// Repeats outbox_open's WHERE clause so that SQLite counts over that partial index.
constexpr std::string_view kCountOutboxOpen =
    "SELECT count(*) FROM outbox WHERE status IN ('pending', 'failed')";
constexpr std::string_view kOldestPending =
    "SELECT received_at FROM events WHERE status = 'pending' ORDER BY seq LIMIT 1";
// An event is kept while it is the newest processed snapshot of its object (by created, then
// arrival): deleting it would leave state resting on a snapshot the inbox no longer has.
constexpr std::string_view kCleanupBatch =
    "DELETE FROM events WHERE seq IN ("
    "SELECT e.seq FROM events e WHERE e.received_at < ?1 "
    "AND e.status IN ('processed', 'ignored', 'stale') AND e.type != 'customer.deleted' "
    "AND e.id NOT IN (SELECT value FROM json_each(?3)) "
    "AND EXISTS (SELECT 1 FROM events n WHERE n.object_id = e.object_id "
    "AND n.status = 'processed' AND (n.created > e.created OR "
    "(n.created = e.created AND n.seq > e.seq))) "
    "ORDER BY e.seq LIMIT ?2)";

// A WHERE clause assembled from the filter; every value a ? parameter bound in order.
struct Where {
  std::string sql;
  std::vector<std::pair<int, std::string>> texts;
  std::vector<std::pair<int, int64_t>> ints;
  int next = 1;

  void And(std::string_view clause) {
    sql += (sql.empty() ? " WHERE " : " AND ") + std::string(clause);
  }
  void Text(std::string_view clause, std::string value) {
    And(clause);
    texts.emplace_back(next++, std::move(value));
  }
  void Int(std::string_view clause, int64_t value) {
    And(clause);
    ints.emplace_back(next++, value);
  }
  void Bind(Statement& stmt) const {
    for (const auto& [index, value] : texts) stmt.BindText(index, value);
    for (const auto& [index, value] : ints) stmt.BindInt64(index, value);
  }
};

util::StatusOr<std::optional<int64_t>> OptionalInt(Connection& conn, std::string_view sql,
                                                   int64_t param) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  stmt.BindInt64(1, param);
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.ColumnInt64(0));
}

// Adds `seq` bounds for the arrival-time range; false when the range holds no event at all.
util::StatusOr<bool> AddReceivedRange(Connection& conn, const AdminEventFilter& f, Where& w) {
  if (f.received_gte_us) {
    SH_ASSIGN_OR_RETURN(std::optional<int64_t> lo,
                        OptionalInt(conn, kFirstSeqReceivedFrom, *f.received_gte_us));
    if (!lo) return false;
    w.Int("seq >= ?", *lo);
    // Unary + keeps SQLite from walking events_received instead of seq order.
    w.Int("+received_at >= ?", *f.received_gte_us);
  }
  if (f.received_lt_us) {
    SH_ASSIGN_OR_RETURN(std::optional<int64_t> hi,
                        OptionalInt(conn, kLastSeqReceivedBefore, *f.received_lt_us));
    if (!hi) return false;
    w.Int("seq <= ?", *hi);
    w.Int("+received_at < ?", *f.received_lt_us);
  }
  return true;
}

util::Status AddObjects(const AdminEventFilter& f, Where& w) {
  if (f.object_ids_any.empty()) return util::OkStatus();
  if (f.object_ids_any.size() > 500) {
    return util::InvalidArgumentError("too many objects to filter by (at most 500)");
  }
  std::string clause = "object_id IN (";
  for (size_t i = 0; i < f.object_ids_any.size(); ++i) clause += i == 0 ? "?" : ", ?";
  w.And(clause + ")");
  for (const std::string& id : f.object_ids_any) w.texts.emplace_back(w.next++, id);
  return util::OkStatus();
}

// Builds the WHERE clause; false when no row can match (empty time range).
util::StatusOr<bool> BuildWhere(Connection& conn, const AdminEventFilter& f, Where& w) {
  if (f.status) w.Text("status = ?", std::string(EventStatusName(*f.status)));
  if (f.type) w.Text("type = ?", *f.type);
  if (f.object_id) w.Text("object_id = ?", *f.object_id);
  SH_RETURN_IF_ERROR(AddObjects(f, w));
  if (f.created_gte) w.Int("+created >= ?", *f.created_gte);
  if (f.created_lt) w.Int("+created < ?", *f.created_lt);
  if (f.starting_after) {
    SH_ASSIGN_OR_RETURN(std::optional<int64_t> seq,
                        [&]() -> util::StatusOr<std::optional<int64_t>> {
                          SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSelectSeqById));
                          stmt.BindText(1, *f.starting_after);
                          SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
                          return row ? std::optional<int64_t>(stmt.ColumnInt64(0)) : std::nullopt;
                        }());
    if (!seq) return util::InvalidArgumentError("starting_after: no event " + *f.starting_after);
    w.Int("seq < ?", *seq);
  }
  return AddReceivedRange(conn, f, w);
}

util::StatusOr<EventPage> ReadPage(Statement& stmt, int limit) {
  EventPage page;
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (static_cast<int>(page.events.size()) == limit) {
      page.has_more = true;
      break;
    }
    SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(stmt));
    page.events.push_back(std::move(event));
  }
  return page;
}

// The first seq of the window, or nullopt when nothing arrived since.
util::StatusOr<std::optional<int64_t>> WindowStart(Connection& conn, int64_t since_us) {
  return OptionalInt(conn, kFirstSeqReceivedFrom, since_us);
}

util::Status ReadCounts(Connection& conn, int64_t first_seq, EventWindowStats& stats) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kStatsByTypeStatus));
  stmt.BindInt64(1, first_seq);
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::string type = stmt.ColumnString(0);
    std::string status = stmt.ColumnString(1);
    int64_t count = stmt.ColumnInt64(2);
    stats.total += count;
    stats.by_status[status] += count;
    stats.by_type[type][status] += count;
  }
  return util::OkStatus();
}

util::Status ReadLatencies(Connection& conn, int64_t first_seq, EventWindowStats& stats) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kLatencies));
  stmt.BindInt64(1, first_seq);
  stmt.BindInt64(2, EventWindowStats::kMaxLatencySamples);
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    stats.processing_latency_us.push_back(std::max<int64_t>(0, stmt.ColumnInt64(0)));
  }
  std::sort(stats.processing_latency_us.begin(), stats.processing_latency_us.end());
  return util::OkStatus();
}

util::StatusOr<int64_t> CountStatus(Connection& conn, std::string_view status) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kCountStatus));
  stmt.BindText(1, status);
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt64(0) : 0;
}

}  // namespace

util::StatusOr<EventPage> QueryAdminEvents(Connection& conn, const AdminEventFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxLimit) {
    return util::InvalidArgumentError("limit must be between 1 and 1000");
  }
  // One read transaction: the cursor and range lookups and the page see the same snapshot.
  Transaction snapshot(conn);
  SH_RETURN_IF_ERROR(snapshot.Begin(Transaction::Mode::kDeferred));
  Where where;
  SH_ASSIGN_OR_RETURN(bool any, BuildWhere(conn, filter, where));
  if (!any) return EventPage{};
  // One extra row tells has_more without a second query.
  std::string sql = "SELECT " + std::string(kEventColumns) + " FROM events" + where.sql +
                    " ORDER BY seq DESC LIMIT " + std::to_string(filter.limit + 1);
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  where.Bind(stmt);
  return ReadPage(stmt, filter.limit);
}

util::StatusOr<EventWindowStats> QueryStatsSince(Connection& conn, int64_t since_us) {
  Transaction snapshot(conn);
  SH_RETURN_IF_ERROR(snapshot.Begin(Transaction::Mode::kDeferred));
  EventWindowStats stats;
  SH_ASSIGN_OR_RETURN(std::optional<int64_t> first_seq, WindowStart(conn, since_us));
  if (!first_seq) return stats;
  SH_RETURN_IF_ERROR(ReadCounts(conn, *first_seq, stats));
  SH_RETURN_IF_ERROR(ReadLatencies(conn, *first_seq, stats));
  return stats;
}

util::StatusOr<InboxBacklog> QueryBacklog(Connection& conn) {
  Transaction snapshot(conn);
  SH_RETURN_IF_ERROR(snapshot.Begin(Transaction::Mode::kDeferred));
  InboxBacklog backlog;
  SH_ASSIGN_OR_RETURN(backlog.pending, CountStatus(conn, "pending"));
  SH_ASSIGN_OR_RETURN(backlog.failed, CountStatus(conn, "failed"));
  SH_ASSIGN_OR_RETURN(backlog.dead, CountStatus(conn, "dead"));
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kOldestPending));
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (row) backlog.oldest_pending_received_us = stmt.ColumnInt64(0);
  SH_ASSIGN_OR_RETURN(Statement outbox, conn.Prepare(kCountOutboxOpen));
  SH_ASSIGN_OR_RETURN(bool counted, outbox.Step());
  if (counted) backlog.outbox_open = outbox.ColumnInt64(0);
  return backlog;
}

util::StatusOr<std::optional<StoredEvent>> QueryLatestEventForObject(Connection& conn,
                                                                     std::string_view object_id) {
  std::string sql = "SELECT " + std::string(kEventColumns) +
                    " FROM events WHERE object_id = ? ORDER BY created DESC, seq DESC LIMIT 1";
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  stmt.BindText(1, object_id);
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<StoredEvent>();
  SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(stmt));
  return std::optional<StoredEvent>(std::move(event));
}

util::StatusOr<int64_t> CleanupBatch(WriteTxn& txn, int64_t received_before_us,
                                     const std::string& keep_json, int batch) {
  SH_ASSIGN_OR_RETURN(Statement * stmt, txn.Prepare(kCleanupBatch));
  stmt->BindInt64(1, received_before_us);
  stmt->BindInt64(2, batch);
  stmt->BindText(3, keep_json);
  util::Status status = stmt->Run();
  stmt->Reset();
  SH_RETURN_IF_ERROR(status.Annotate("cleanup events"));
  return txn.Changes();
}

std::string JsonArrayOf(const std::set<std::string>& ids) {
  std::string out = "[";
  for (const std::string& id : ids) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : id) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out + "]";
}

}  // namespace stripehook::store::sqlite
