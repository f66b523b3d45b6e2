#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/admin_types.h"
#include "store/event.h"
#include "store/postgres/pg_arrays.h"
#include "store/postgres/pg_connection.h"
#include "store/store.h"
#include "util/status.h"

namespace stripehook::store::postgres {

// The queries behind the admin store methods (see store.h for each contract), on a connection the
// caller leased from the pool. Every value is a statement parameter; statements are prepared.

// Store::ListEventsForAdmin. kInvalidArgument for a limit outside 1..1000, more than 500
// object_ids_any or an unknown starting_after id.
util::StatusOr<EventPage> QueryAdminEvents(PgConnection& conn, const AdminEventFilter& filter);
// Store::StatsSince, from one snapshot.
util::StatusOr<EventWindowStats> QueryStatsSince(PgConnection& conn, int64_t since_us);
// Store::Backlog and Store::LatestEventForObject, one snapshot each.
util::StatusOr<InboxBacklog> QueryBacklog(PgConnection& conn);
util::StatusOr<std::optional<StoredEvent>> QueryLatestEventForObject(PgConnection& conn,
                                                                     std::string_view object_id);

// Deletes at most `batch` cleanable events (Store::CleanupEvents) received before
// `received_before_us`, never one whose id is in `keep` (TextArrayParam); returns how many.
// Runs inside the caller's transaction.
util::StatusOr<int64_t> CleanupBatch(PgConnection& conn, int64_t received_before_us,
                                     const PgParam& keep, int batch);

}  // namespace stripehook::store::postgres
