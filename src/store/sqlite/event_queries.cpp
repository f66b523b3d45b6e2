#include "store/sqlite/event_queries.h"

#include <string>
#include <vector>

#include "store/sqlite/event_rows.h"
#include "store/sqlite/transaction.h"

namespace stripehook::store::sqlite {
namespace {

constexpr std::string_view kSelectSeqById = "SELECT seq FROM events WHERE id = ?";
constexpr std::string_view kCountEvents = "SELECT count(*) FROM events";
constexpr int kMaxLimit = 1000;

// A WHERE clause assembled from the filter. Every value is a ? parameter, bound in order.
struct ListQuery {
  std::string sql;
  std::vector<std::string> texts;  // kept alive for the statement (binds do not copy)
  std::vector<std::pair<int, int64_t>> ints;
  std::vector<std::pair<int, size_t>> text_params;
  int next_param = 1;

  void AddText(std::string_view clause, std::string value) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += clause;
    text_params.emplace_back(next_param++, texts.size());
    texts.push_back(std::move(value));
  }
  void AddInt(std::string_view clause, int64_t value) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += clause;
    ints.emplace_back(next_param++, value);
  }
  void Bind(Statement& stmt) const {
    for (const auto& [index, slot] : text_params) stmt.BindText(index, texts[slot]);
    for (const auto& [index, value] : ints) stmt.BindInt64(index, value);
  }
};

util::StatusOr<int64_t> SeqOf(Connection& conn, std::string_view id) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSelectSeqById));
  stmt.BindText(1, id);
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return util::InvalidArgumentError("starting_after: no event " + std::string(id));
  return stmt.ColumnInt64(0);
}

util::StatusOr<ListQuery> BuildListQuery(Connection& conn, const EventFilter& filter) {
  ListQuery q;
  if (filter.status) q.AddText("status = ?", std::string(EventStatusName(*filter.status)));
  if (filter.type) q.AddText("type = ?", *filter.type);
  if (filter.object_id) q.AddText("object_id = ?", *filter.object_id);
  if (filter.created_gte) q.AddInt("created >= ?", *filter.created_gte);
  if (filter.created_lt) q.AddInt("created < ?", *filter.created_lt);
  if (filter.starting_after) {
    SH_ASSIGN_OR_RETURN(int64_t seq, SeqOf(conn, *filter.starting_after));
    q.AddInt("seq < ?", seq);
  }
  // One extra row tells has_more without a second query.
  q.sql = "SELECT " + std::string(kEventColumns) + " FROM events" + q.sql +
          " ORDER BY seq DESC LIMIT " + std::to_string(filter.limit + 1);
  return q;
}

}  // namespace

util::StatusOr<StoredEvent> QueryEvent(Connection& conn, std::string_view id) {
  std::string sql = "SELECT " + std::string(kEventColumns) + " FROM events WHERE id = ?";
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  stmt.BindText(1, id);
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return util::NotFoundError("no event " + std::string(id));
  return ReadStoredEvent(stmt);
}

util::StatusOr<EventPage> QueryEvents(Connection& conn, const EventFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxLimit) {
    return util::InvalidArgumentError("limit must be between 1 and 1000");
  }
  // One read transaction: the cursor lookup and the page see the same snapshot.
  Transaction snapshot(conn);
  SH_RETURN_IF_ERROR(snapshot.Begin(Transaction::Mode::kDeferred));
  SH_ASSIGN_OR_RETURN(ListQuery query, BuildListQuery(conn, filter));
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(query.sql));
  query.Bind(stmt);
  EventPage page;
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (static_cast<int>(page.events.size()) == filter.limit) {
      page.has_more = true;
      break;
    }
    SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(stmt, DamagedPayload::kReport));
    page.events.push_back(std::move(event));
  }
  return page;
}

util::StatusOr<int64_t> QueryEventCount(Connection& conn) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kCountEvents));
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt64(0) : 0;
}

}  // namespace stripehook::store::sqlite
