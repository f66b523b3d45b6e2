#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/store.h"
#include "util/status.h"

namespace stripehook::store::postgres {

// Read queries of PostgresStore, one per Store method (see store.h for each contract). Each runs
// on a connection the caller leased from the pool.
util::StatusOr<StoredEvent> QueryEvent(PgConnection& conn, std::string_view id);
util::StatusOr<EventPage> QueryEvents(PgConnection& conn, const EventFilter& filter);
util::StatusOr<std::vector<StoredEvent>> QueryDueEvents(PgConnection& conn, int64_t now_us,
                                                        int limit);
util::Status VisitEventsInOrder(PgConnection& conn,
                                const std::function<void(StoredEvent&&)>& visit);
util::Status VisitRecords(PgConnection& conn, const std::function<void(RecordRow&&)>& visit);
util::StatusOr<std::optional<RecordRow>> QueryRecord(PgConnection& conn, std::string_view table,
                                                     std::string_view key);
util::StatusOr<std::vector<AuditRow>> QueryAuditForEvent(PgConnection& conn,
                                                         std::string_view event_id);
// count(*) of `table` (a constant of ours, never user input).
util::StatusOr<int64_t> QueryCount(PgConnection& conn, std::string_view table);

}  // namespace stripehook::store::postgres
