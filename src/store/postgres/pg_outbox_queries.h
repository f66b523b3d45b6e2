#pragma once

// The outbox delivery queries of PostgresStore (notify/); semantics as documented on Store
// (OpenOutbox, UpdateOutbox, ListOutbox, GetOutbox, RequeueOutbox). Reads run on a connection
// leased from the pool; the *InTxn writes inside the caller's transaction, which rolls back on
// their error.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/outbox.h"
#include "store/postgres/pg_connection.h"
#include "util/status.h"

namespace stripehook::store::postgres {

// kInvalidArgument when limit < 1.
util::StatusOr<std::vector<OutboxEntry>> QueryOpenOutbox(PgConnection& conn, int64_t after_id,
                                                         int limit);
// kInvalidArgument for a limit outside 1..1000.
util::StatusOr<OutboxPage> QueryOutboxPage(PgConnection& conn, const OutboxFilter& filter);
// kNotFound when absent.
util::StatusOr<OutboxEntry> QueryOutboxEntry(PgConnection& conn, int64_t id);

// kNotFound when an id is not stored (the caller's transaction must then be rolled back).
util::Status UpdateOutboxInTxn(PgConnection& conn, const std::vector<OutboxUpdate>& updates);
util::StatusOr<int64_t> RequeueOutboxInTxn(PgConnection& conn, std::optional<int64_t> id);

}  // namespace stripehook::store::postgres
