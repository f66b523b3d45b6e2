// PostgresStore's admin read models and cleanup (see store.h); queries in pg_admin_queries.cpp.
// They read whatever every instance has written: the admin API of any instance shows the whole
// cluster.
#include "store/postgres/pg_admin_queries.h"
#include "store/postgres/pg_pooled.h"
#include "store/postgres/postgres_store.h"

namespace stripehook::store::postgres {
namespace {

// Rows deleted per transaction: a batch holds its row locks (and a pooled connection) for
// milliseconds, so processing that touches the same rows waits little.
constexpr int kCleanupBatch = 2000;

}  // namespace

util::StatusOr<EventPage> PostgresStore::ListEventsForAdmin(const AdminEventFilter& filter) {
  return OnPooledConnection<EventPage>(*readers_, [&](PgConnection& conn) {
    return WithCustomPlans<EventPage>(conn, [&] { return QueryAdminEvents(conn, filter); });
  });
}

util::StatusOr<EventWindowStats> PostgresStore::StatsSince(int64_t since_us) {
  return OnPooledConnection<EventWindowStats>(
      *readers_, [&](PgConnection& conn) { return QueryStatsSince(conn, since_us); });
}

util::StatusOr<int64_t> PostgresStore::CleanupEvents(int64_t received_before_us,
                                                     const std::set<std::string>& keep) {
  const PgParam keep_param = TextArrayParam(keep);
  int64_t total = 0;
  while (true) {
    // Each batch commits on its own (bounded transactions); a batch that fails leaves the ones
    // before it deleted, which is fine: they were cleanable and stay so.
    SH_ASSIGN_OR_RETURN(int64_t deleted,
                        InPooledTransaction<int64_t>(*readers_, [&](PgConnection& conn) {
                          return CleanupBatch(conn, received_before_us, keep_param, kCleanupBatch);
                        }));
    total += deleted;
    if (deleted < kCleanupBatch) return total;
  }
}

}  // namespace stripehook::store::postgres
