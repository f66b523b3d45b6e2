// A ProcessingCommit in at most five statements, whatever its size: each kind of row travels as
// a few array parameters and is unnested by PostgreSQL. One statement per row cost a round trip
// and an executor start-up per record, audit row and status (bench/README.md, PostgreSQL).
#include <array>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "store/postgres/pg_arrays.h"
#include "store/postgres/pg_writes.h"

namespace stripehook::store::postgres {
namespace {

// Every write takes a new rev (the column's default, from a sequence) and a delete leaves a
// tombstone (doc NULL): other instances follow the table by rev (pg_cluster.h).
constexpr std::string_view kUpsertRecords =
    "INSERT INTO billing_records (table_name, key, doc, updated_at) "
    "SELECT t, k, d, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(t, k, d) "
    "ON CONFLICT (table_name, key) "
    "DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at, rev = excluded.rev";
constexpr std::string_view kDeleteRecords =
    "UPDATE billing_records AS r SET doc = NULL, updated_at = $3, "
    "rev = nextval('billing_records_rev_seq') "
    "FROM unnest($1::text[], $2::text[]) AS u(t, k) "
    "WHERE r.table_name = u.t AND r.key = u.k AND r.doc IS NOT NULL";
// ORDER BY the ordinality: seq (identity) follows the caller's order, which audit readers use.
constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (event_id, table_name, key, change, at) "
    "SELECT e, t, k, c, a FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
    "$5::bigint[]) WITH ORDINALITY AS u(e, t, k, c, a, n) ORDER BY n";
constexpr std::string_view kInsertOutbox =
    "INSERT INTO outbox (event_id, type, user_id, body, created_at) "
    "SELECT e, t, u, b, c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], "
    "$5::bigint[]) WITH ORDINALITY AS o(e, t, u, b, c, n) ORDER BY n";
constexpr std::string_view kUpdateStatuses =
    "UPDATE events AS e SET status = u.s, attempts = u.a, next_attempt_at = u.na, "
    "last_error = u.le, processed_at = u.pa "
    "FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[]) "
    "AS u(id, s, a, na, le, pa) WHERE e.id = u.id";
constexpr std::string_view kFirstUnknownEvent =
    "SELECT u.id FROM unnest($1::text[]) AS u(id) "
    "WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = u.id) LIMIT 1";

// Indexes of the last element of `items` per key, in order: in one commit a later write to the
// same key wins, and one statement may not touch a row twice (ON CONFLICT refuses to).
template <typename T, typename KeyFn>
std::vector<size_t> LastPerKey(const std::vector<T>& items, KeyFn key) {
  std::map<decltype(key(items[0])), size_t> last;
  for (size_t i = 0; i < items.size(); ++i) last[key(items[i])] = i;
  std::vector<size_t> kept;
  for (size_t i = 0; i < items.size(); ++i) {
    if (last[key(items[i])] == i) kept.push_back(i);
  }
  return kept;
}

util::Status WriteRecords(PgConnection& conn, const std::vector<RecordWrite>& records,
                          int64_t now_us) {
  auto up_t = PgArrayParam::Text(), up_k = PgArrayParam::Text(), up_d = PgArrayParam::Text();
  auto del_t = PgArrayParam::Text(), del_k = PgArrayParam::Text();
  for (size_t i : LastPerKey(records, [](const RecordWrite& w) {
         return std::pair<std::string_view, std::string_view>(w.table, w.key);
       })) {
    const RecordWrite& w = records[i];
    if (w.doc) {
      up_t.AddText(w.table);
      up_k.AddText(w.key);
      up_d.AddText(*w.doc);
    } else {
      del_t.AddText(w.table);
      del_k.AddText(w.key);
    }
  }
  const size_t upserts = up_t.size(), deletes = del_t.size();
  if (upserts > 0) {
    SH_RETURN_IF_ERROR(
        conn.Run(std::string(kUpsertRecords), {std::move(up_t).Build(), std::move(up_k).Build(),
                                               std::move(up_d).Build(), PgParam::Int(now_us)})
            .Annotate("upsert " + std::to_string(upserts) + " records"));
  }
  if (deletes == 0) return util::OkStatus();
  return conn
      .Run(std::string(kDeleteRecords),
           {std::move(del_t).Build(), std::move(del_k).Build(), PgParam::Int(now_us)})
      .Annotate("delete " + std::to_string(deletes) + " records");
}

// Audit and outbox rows alike: four text columns and a time, as the arrays $1..$5 of `sql`.
template <typename Row, typename FieldsFn>
util::Status InsertRows(PgConnection& conn, std::string_view sql, const std::vector<Row>& rows,
                        FieldsFn fields) {
  std::array<PgArrayParam, 4> texts = {PgArrayParam::Text(), PgArrayParam::Text(),
                                       PgArrayParam::Text(), PgArrayParam::Text()};
  auto times = PgArrayParam::BigInt();
  for (const Row& row : rows) {
    const auto [a, b, c, d, at] = fields(row);
    texts[0].AddText(a);
    texts[1].AddText(b);
    texts[2].AddText(c);
    texts[3].AddText(d);
    times.AddInt(at);
  }
  return conn.Run(std::string(sql), {std::move(texts[0]).Build(), std::move(texts[1]).Build(),
                                     std::move(texts[2]).Build(), std::move(texts[3]).Build(),
                                     std::move(times).Build()});
}

util::Status WriteAudit(PgConnection& conn, const std::vector<AuditRow>& rows) {
  return InsertRows(conn, kInsertAudit, rows, [](const AuditRow& r) {
    return std::tuple(std::string_view(r.event_id), std::string_view(r.table),
                      std::string_view(r.key), std::string_view(r.change), r.at_us);
  });
}

util::Status WriteOutbox(PgConnection& conn, const std::vector<OutboxRow>& rows) {
  return InsertRows(conn, kInsertOutbox, rows, [](const OutboxRow& r) {
    return std::tuple(std::string_view(r.event_id), std::string_view(r.type),
                      std::string_view(r.user_id), std::string_view(r.body), r.created_at_us);
  });
}

util::Status WriteEventStatuses(PgConnection& conn, const std::vector<EventStatusUpdate>& updates) {
  auto id = PgArrayParam::Text(), st = PgArrayParam::Text(), att = PgArrayParam::BigInt();
  auto next = PgArrayParam::BigInt(), err = PgArrayParam::Text(), done = PgArrayParam::BigInt();
  for (size_t i :
       LastPerKey(updates, [](const EventStatusUpdate& u) { return std::string_view(u.id); })) {
    const EventStatusUpdate& u = updates[i];
    id.AddText(u.id);
    st.AddText(EventStatusName(u.status));
    att.AddInt(u.attempts);
    next.AddOptInt(u.next_attempt_at_us);
    err.AddOptText(u.last_error);
    done.AddOptInt(u.processed_at_us);
  }
  const auto expected = static_cast<int64_t>(id.size());
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query(std::string(kUpdateStatuses),
                                               {std::move(id).Build(), std::move(st).Build(),
                                                std::move(att).Build(), std::move(next).Build(),
                                                std::move(err).Build(), std::move(done).Build()}));
  if (res.Affected() == expected) return util::OkStatus();
  // A status for an event we do not hold means the caller's view is wrong (as in SQLite). The
  // ids travel again only on this path, to name the first unknown one.
  auto ids = PgArrayParam::Text();
  for (const EventStatusUpdate& u : updates) ids.AddText(u.id);
  SH_ASSIGN_OR_RETURN(PgResult unknown,
                      conn.Query(std::string(kFirstUnknownEvent), {std::move(ids).Build()}));
  return util::NotFoundError("no event " + (unknown.rows() > 0 ? unknown.String(0, 0) : "") +
                             " to update");
}

}  // namespace

util::Status ApplyProcessingCommit(PgConnection& conn, const ProcessingCommit& commit,
                                   int64_t now_us) {
  if (!commit.records.empty()) SH_RETURN_IF_ERROR(WriteRecords(conn, commit.records, now_us));
  if (!commit.audit.empty()) SH_RETURN_IF_ERROR(WriteAudit(conn, commit.audit));
  if (!commit.outbox.empty()) SH_RETURN_IF_ERROR(WriteOutbox(conn, commit.outbox));
  if (commit.events.empty()) return util::OkStatus();
  return WriteEventStatuses(conn, commit.events);
}

}  // namespace stripehook::store::postgres
