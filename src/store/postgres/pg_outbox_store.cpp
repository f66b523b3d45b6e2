// PostgresStore's outbox delivery methods (notify/); queries in pg_outbox_queries.cpp. Writes run
// in their own transaction on a pooled connection, not on the group-commit writer: they are rare
// next to ingest and need no shared fsync.
#include <utility>

#include "store/postgres/pg_outbox_queries.h"
#include "store/postgres/pg_pooled.h"
#include "store/postgres/postgres_store.h"

namespace stripehook::store::postgres {

util::StatusOr<std::vector<OutboxEntry>> PostgresStore::OpenOutbox(int64_t after_id, int limit) {
  return OnPooledConnection<std::vector<OutboxEntry>>(
      *readers_, [&](PgConnection& conn) { return QueryOpenOutbox(conn, after_id, limit); });
}

util::Status PostgresStore::UpdateOutbox(std::vector<OutboxUpdate> updates) {
  if (updates.empty()) return util::OkStatus();
  return InPooledTransaction<bool>(*readers_,
                                   [&](PgConnection& conn) -> util::StatusOr<bool> {
                                     SH_RETURN_IF_ERROR(UpdateOutboxInTxn(conn, updates));
                                     return true;
                                   })
      .status();
}

util::StatusOr<OutboxPage> PostgresStore::ListOutbox(const OutboxFilter& filter) {
  return OnPooledConnection<OutboxPage>(*readers_, [&](PgConnection& conn) {
    return WithCustomPlans<OutboxPage>(conn, [&] { return QueryOutboxPage(conn, filter); });
  });
}

util::StatusOr<OutboxEntry> PostgresStore::GetOutbox(int64_t id) {
  return OnPooledConnection<OutboxEntry>(
      *readers_, [&](PgConnection& conn) { return QueryOutboxEntry(conn, id); });
}

util::StatusOr<int64_t> PostgresStore::RequeueOutbox(std::optional<int64_t> id) {
  return InPooledTransaction<int64_t>(
      *readers_, [&](PgConnection& conn) { return RequeueOutboxInTxn(conn, id); });
}

}  // namespace stripehook::store::postgres
