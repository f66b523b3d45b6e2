#pragma once

// Running a query or a write transaction on a connection leased from a ConnectionPool, with one
// retry when the leased connection turns out to have broken (PostgreSQL restarted since it was
// last used): the pool replaces it on the next Acquire.

#include <utility>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_pool.h"
#include "util/status.h"

namespace stripehook::store::postgres {

// Runs `query(PgConnection&) -> StatusOr<T>` on a pooled connection; once more on a fresh one
// when the first attempt failed because its connection had broken. Only for reads (or writes
// that are safe to run twice): the first attempt may have reached the server.
template <typename T, typename Query>
util::StatusOr<T> OnPooledConnection(ConnectionPool& pool, Query&& query) {
  util::StatusOr<T> result = util::UnavailableError("unreachable");
  for (int attempt = 0; attempt < 2; ++attempt) {
    SH_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool.Acquire());
    result = query(lease.conn());
    if (result.ok() || !lease.conn().broken()) return result;
  }
  return result;
}

// Runs `work(PgConnection&) -> StatusOr<T>` inside ONE transaction on a pooled connection and
// commits it (durable when COMMIT returns: synchronous_commit decides, on by default). When
// `work` fails the transaction is rolled back and its status returned. Retried once on a fresh
// connection only when BEGIN itself failed on a broken connection: nothing of `work` had been
// sent then, so a write is never applied twice.
template <typename T, typename Work>
util::StatusOr<T> InPooledTransaction(ConnectionPool& pool, Work&& work) {
  for (int attempt = 0;; ++attempt) {
    SH_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, pool.Acquire());
    PgTransaction txn(lease.conn());
    util::Status begun = txn.Begin();
    if (!begun.ok()) {
      if (attempt == 0 && lease.conn().broken()) continue;
      return begun;
    }
    util::StatusOr<T> result = work(lease.conn());
    if (!result.ok()) return result;
    SH_RETURN_IF_ERROR(txn.Commit());
    return result;
  }
}

// Runs `query() -> StatusOr<T>` on `conn` with plan_cache_mode = force_custom_plan, then resets
// it. For lists whose filters have skewed values (a rare status or type): after five runs a
// prepared statement may switch to a generic plan that assumes an average value and walks the
// whole table in seq order looking for a rare one; a custom plan sees the value and takes the
// matching index. Costs two round trips and a planning per call.
template <typename T, typename Query>
util::StatusOr<T> WithCustomPlans(PgConnection& conn, Query&& query) {
  SH_RETURN_IF_ERROR(conn.Exec("SET plan_cache_mode = force_custom_plan"));
  util::StatusOr<T> result = query();
  util::Status reset = conn.Exec("RESET plan_cache_mode");
  if (result.ok() && !reset.ok()) return reset;
  return result;
}

}  // namespace stripehook::store::postgres
