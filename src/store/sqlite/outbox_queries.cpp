#include "store/sqlite/outbox_queries.h"

#include <string>

#include "store/sqlite/transaction.h"

namespace stripehook::store::sqlite {
namespace {

constexpr std::string_view kOutboxColumns =
    "seq, event_id, type, user_id, body, status, attempts, next_attempt_at, last_error, "
    "created_at, delivered_at, channels_done";
// Repeats outbox_open's WHERE clause so that SQLite walks that partial index in seq order.
constexpr std::string_view kOpenWhere = " WHERE status IN ('pending', 'failed')";
constexpr std::string_view kUpdateOutbox =
    "UPDATE outbox SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, "
    "delivered_at = ?, channels_done = ? WHERE seq = ?";
constexpr std::string_view kSelectOutboxStatus = "SELECT status FROM outbox WHERE seq = ?";
constexpr std::string_view kRequeueOne =
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL WHERE seq = ?";
constexpr std::string_view kRequeueDead =
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL "
    "WHERE status = 'dead'";
constexpr int kMaxLimit = 1000;

std::string SelectFrom() { return "SELECT " + std::string(kOutboxColumns) + " FROM outbox"; }

util::StatusOr<OutboxEntry> ReadEntry(const Statement& stmt) {
  OutboxEntry e;
  e.id = stmt.ColumnInt64(0);
  e.event_id = stmt.ColumnString(1);
  e.type = stmt.ColumnString(2);
  e.user_id = stmt.ColumnString(3);
  e.body = stmt.ColumnString(4);
  std::string status = stmt.ColumnString(5);
  std::optional<OutboxStatus> parsed = ParseOutboxStatus(status);
  if (!parsed)
    return util::DataLossError("outbox row " + std::to_string(e.id) + ": status " + status);
  e.status = *parsed;
  e.attempts = static_cast<int>(stmt.ColumnInt64(6));
  e.next_attempt_at_us = stmt.ColumnOptionalInt64(7);
  e.last_error = stmt.ColumnOptionalString(8);
  e.created_at_us = stmt.ColumnInt64(9);
  e.delivered_at_us = stmt.ColumnOptionalInt64(10);
  e.channels_done = SplitOutboxChannels(stmt.ColumnString(11));
  return e;
}

// Steps `stmt` to the end, reading every row (at most `max_rows`; more sets *more).
util::StatusOr<std::vector<OutboxEntry>> ReadEntries(Statement& stmt, int max_rows, bool* more) {
  std::vector<OutboxEntry> entries;
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (static_cast<int>(entries.size()) == max_rows) {
      if (more != nullptr) *more = true;
      break;
    }
    SH_ASSIGN_OR_RETURN(OutboxEntry entry, ReadEntry(stmt));
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

util::StatusOr<std::vector<OutboxEntry>> QueryOpenOutbox(Connection& conn, int64_t after_id,
                                                         int64_t up_to, int limit) {
  if (limit < 1) return util::InvalidArgumentError("limit must be >= 1");
  std::string sql =
      SelectFrom() + std::string(kOpenWhere) + " AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?";
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  stmt.BindInt64(1, after_id);
  stmt.BindInt64(2, up_to);
  stmt.BindInt64(3, limit);
  return ReadEntries(stmt, limit, nullptr);
}

util::StatusOr<int64_t> QueryLastOutboxSeq(Connection& conn) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("SELECT coalesce(max(seq), 0) FROM outbox"));
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt64(0) : 0;
}

util::StatusOr<OutboxPage> QueryOutboxPage(Connection& conn, const OutboxFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxLimit) {
    return util::InvalidArgumentError("limit must be between 1 and 1000");
  }
  std::string where;
  auto add = [&where](std::string_view clause) {
    where += where.empty() ? " WHERE " : " AND ";
    where += clause;
  };
  if (filter.status) add("status = ?1");
  if (filter.user_id) add("user_id = ?2");
  if (filter.starting_after) add("seq < ?3");
  std::string sql = SelectFrom() + where + " ORDER BY seq DESC LIMIT ?4";
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(sql));
  std::string status = filter.status ? std::string(OutboxStatusName(*filter.status)) : "";
  if (filter.status) stmt.BindText(1, status);
  if (filter.user_id) stmt.BindText(2, *filter.user_id);
  if (filter.starting_after) stmt.BindInt64(3, *filter.starting_after);
  stmt.BindInt64(4, filter.limit + 1);  // one extra row tells has_more
  OutboxPage page;
  SH_ASSIGN_OR_RETURN(page.entries, ReadEntries(stmt, filter.limit, &page.has_more));
  return page;
}

util::StatusOr<OutboxEntry> QueryOutboxEntry(Connection& conn, int64_t id) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(SelectFrom() + " WHERE seq = ?"));
  stmt.BindInt64(1, id);
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return util::NotFoundError("no outbox row " + std::to_string(id));
  return ReadEntry(stmt);
}

util::Status UpdateOutboxInTxn(WriteTxn& txn, const std::vector<OutboxUpdate>& updates) {
  for (const OutboxUpdate& u : updates) {
    SH_ASSIGN_OR_RETURN(Statement * stmt, txn.Prepare(kUpdateOutbox));
    std::string channels = JoinOutboxChannels(u.channels_done);
    stmt->BindText(1, OutboxStatusName(u.status));
    stmt->BindInt64(2, u.attempts);
    stmt->BindOptionalInt64(3, u.next_attempt_at_us);
    stmt->BindOptionalText(4, u.last_error);
    stmt->BindOptionalInt64(5, u.delivered_at_us);
    stmt->BindText(6, channels);
    stmt->BindInt64(7, u.id);
    util::Status status = stmt->Run();
    stmt->Reset();  // the bindings point into locals
    SH_RETURN_IF_ERROR(status.Annotate("update outbox row " + std::to_string(u.id)));
    if (txn.Changes() == 0) return util::NotFoundError("no outbox row " + std::to_string(u.id));
  }
  return util::OkStatus();
}

util::StatusOr<int64_t> RequeueOutboxInTxn(WriteTxn& txn, std::optional<int64_t> id) {
  if (!id) {
    SH_ASSIGN_OR_RETURN(Statement * all, txn.Prepare(kRequeueDead));
    SH_RETURN_IF_ERROR(all->Run());
    return txn.Changes();
  }
  SH_ASSIGN_OR_RETURN(Statement * get, txn.Prepare(kSelectOutboxStatus));
  get->BindInt64(1, *id);
  SH_ASSIGN_OR_RETURN(bool row, get->Step());
  if (!row) return util::NotFoundError("no outbox row " + std::to_string(*id));
  std::string status = get->ColumnString(0);
  get->Reset();
  if (status != "failed" && status != "dead") {
    return util::FailedPreconditionError("outbox row " + std::to_string(*id) + " is " + status +
                                         ", not failed or dead");
  }
  SH_ASSIGN_OR_RETURN(Statement * one, txn.Prepare(kRequeueOne));
  one->BindInt64(1, *id);
  SH_RETURN_IF_ERROR(one->Run());
  return 1;
}

}  // namespace stripehook::store::sqlite
