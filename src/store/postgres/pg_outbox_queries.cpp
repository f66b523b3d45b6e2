#include "store/postgres/pg_outbox_queries.h"

#include <utility>

namespace stripehook::store::postgres {
namespace {

constexpr int kMaxLimit = 1000;
constexpr std::string_view kOutboxColumns =
    "seq, event_id, type, user_id, body, status, attempts, next_attempt_at, last_error, "
    "created_at, delivered_at, channels_done";
// No claim (FOR UPDATE SKIP LOCKED) here: outbox delivery runs on one instance at a time, the
// one holding the notify leadership (Store::HoldLeadership), so no other reader competes for
// these rows. The WHERE clause repeats outbox_open's, which PostgreSQL then walks in seq order.
constexpr std::string_view kOpenOutbox =
    " WHERE status IN ('pending', 'failed') AND seq > $1 ORDER BY seq LIMIT $2";
constexpr std::string_view kUpdateOutbox =
    "UPDATE outbox SET status = $1, attempts = $2, next_attempt_at = $3, last_error = $4, "
    "delivered_at = $5, channels_done = $6 WHERE seq = $7";
// FOR UPDATE: the status checked is the status changed, whatever another instance does.
constexpr std::string_view kSelectStatusForUpdate =
    "SELECT status FROM outbox WHERE seq = $1 FOR UPDATE";
constexpr std::string_view kRequeueOne =
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL WHERE seq = $1";
constexpr std::string_view kRequeueDead =
    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL "
    "WHERE status = 'dead'";

std::string SelectFrom(std::string_view rest) {
  return "SELECT " + std::string(kOutboxColumns) + " FROM outbox" + std::string(rest);
}

util::StatusOr<OutboxEntry> ReadEntry(const PgResult& res, int row) {
  OutboxEntry e;
  e.id = res.Int64(row, 0);
  e.event_id = res.String(row, 1);
  e.type = res.String(row, 2);
  e.user_id = res.String(row, 3);
  e.body = res.String(row, 4);
  std::string status = res.String(row, 5);
  std::optional<OutboxStatus> parsed = ParseOutboxStatus(status);
  if (!parsed) {
    return util::DataLossError("outbox row " + std::to_string(e.id) + ": status " + status);
  }
  e.status = *parsed;
  e.attempts = static_cast<int>(res.Int64(row, 6));
  e.next_attempt_at_us = res.OptionalInt64(row, 7);
  e.last_error = res.OptionalString(row, 8);
  e.created_at_us = res.Int64(row, 9);
  e.delivered_at_us = res.OptionalInt64(row, 10);
  e.channels_done = SplitOutboxChannels(res.String(row, 11));
  return e;
}

// The first `max_rows` rows of `res`.
util::StatusOr<std::vector<OutboxEntry>> ReadEntries(const PgResult& res, int max_rows) {
  std::vector<OutboxEntry> entries;
  for (int row = 0; row < res.rows() && row < max_rows; ++row) {
    SH_ASSIGN_OR_RETURN(OutboxEntry entry, ReadEntry(res, row));
    entries.push_back(std::move(entry));
  }
  return entries;
}

util::Status NotFound(int64_t id) {
  return util::NotFoundError("no outbox row " + std::to_string(id));
}

}  // namespace

util::StatusOr<std::vector<OutboxEntry>> QueryOpenOutbox(PgConnection& conn, int64_t after_id,
                                                         int limit) {
  if (limit < 1) return util::InvalidArgumentError("limit must be >= 1");
  static const std::string sql = SelectFrom(kOpenOutbox);
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, {PgParam::Int(after_id), PgParam::Int(limit)}));
  return ReadEntries(res, limit);
}

util::StatusOr<OutboxPage> QueryOutboxPage(PgConnection& conn, const OutboxFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxLimit) {
    return util::InvalidArgumentError("limit must be between 1 and 1000");
  }
  std::string where;
  std::vector<PgParam> params;
  auto add = [&](std::string_view clause, PgParam value) {
    params.push_back(std::move(value));
    where += where.empty() ? " WHERE " : " AND ";
    where += std::string(clause) + " $" + std::to_string(params.size());
  };
  if (filter.status) add("status =", PgParam::Text(std::string(OutboxStatusName(*filter.status))));
  if (filter.user_id) add("user_id =", PgParam::Text(*filter.user_id));
  if (filter.starting_after) add("seq <", PgParam::Int(*filter.starting_after));
  // The limit is in the text, as in the admin event list (a generic plan with an unknown LIMIT
  // may sort every match); one extra row tells has_more.
  std::string sql =
      SelectFrom(where + " ORDER BY seq DESC LIMIT " + std::to_string(filter.limit + 1));
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, params));
  OutboxPage page;
  SH_ASSIGN_OR_RETURN(page.entries, ReadEntries(res, filter.limit));
  page.has_more = res.rows() > filter.limit;
  return page;
}

util::StatusOr<OutboxEntry> QueryOutboxEntry(PgConnection& conn, int64_t id) {
  static const std::string sql = SelectFrom(" WHERE seq = $1");
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(sql, {PgParam::Int(id)}));
  if (res.rows() == 0) return NotFound(id);
  return ReadEntry(res, 0);
}

util::Status UpdateOutboxInTxn(PgConnection& conn, const std::vector<OutboxUpdate>& updates) {
  for (const OutboxUpdate& u : updates) {
    SH_ASSIGN_OR_RETURN(
        PgResult res,
        conn.Query(std::string(kUpdateOutbox),
                   {PgParam::Text(std::string(OutboxStatusName(u.status))),
                    PgParam::Int(u.attempts), PgParam::OptInt(u.next_attempt_at_us),
                    PgParam::OptText(u.last_error), PgParam::OptInt(u.delivered_at_us),
                    PgParam::Text(JoinOutboxChannels(u.channels_done)), PgParam::Int(u.id)}));
    if (res.Affected() == 0) return NotFound(u.id);
  }
  return util::OkStatus();
}

util::StatusOr<int64_t> RequeueOutboxInTxn(PgConnection& conn, std::optional<int64_t> id) {
  if (!id) {
    SH_ASSIGN_OR_RETURN(PgResult all, conn.Query(std::string(kRequeueDead), {}));
    return all.Affected();
  }
  SH_ASSIGN_OR_RETURN(PgResult found,
                      conn.Query(std::string(kSelectStatusForUpdate), {PgParam::Int(*id)}));
  if (found.rows() == 0) return NotFound(*id);
  std::string status = found.String(0, 0);
  if (status != "failed" && status != "dead") {
    return util::FailedPreconditionError("outbox row " + std::to_string(*id) + " is " + status +
                                         ", not failed or dead");
  }
  SH_ASSIGN_OR_RETURN(PgResult one, conn.Query(std::string(kRequeueOne), {PgParam::Int(*id)}));
  return one.Affected();
}

}  // namespace stripehook::store::postgres
