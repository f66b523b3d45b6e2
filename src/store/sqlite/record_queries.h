#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/processing.h"
#include "store/sqlite/connection.h"
#include "store/store.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// Read-side queries of processing: due events, billing records, audit log, outbox counts, on any
// connection (normally a read-only one from ReadPool). Semantics as documented on Store.

// The SQL of QueryDueEvents (parameters: ?1 limit, ?2 now_us), exposed so a test can check
// its query plan.
std::string DueEventsSql();
// kInvalidArgument when limit < 1.
util::StatusOr<std::vector<StoredEvent>> QueryDueEvents(Connection& conn, int64_t now_us,
                                                        int limit);
// Reads inside one read transaction: while it runs, WAL checkpoints cannot pass its snapshot, so
// the WAL file grows with whatever is written meanwhile (fine for `rebuild`, not for a server
// loop).
util::Status VisitEventsInOrder(Connection& conn, const std::function<void(StoredEvent&&)>& visit);

util::Status VisitRecords(Connection& conn, const std::function<void(RecordRow&&)>& visit);
util::StatusOr<std::optional<RecordRow>> QueryRecord(Connection& conn, std::string_view table,
                                                     std::string_view key);
util::StatusOr<std::vector<AuditRow>> QueryAuditForEvent(Connection& conn,
                                                         std::string_view event_id);
util::StatusOr<int64_t> QueryAuditCount(Connection& conn);
util::StatusOr<int64_t> QueryOutboxCount(Connection& conn);

}  // namespace stripehook::store::sqlite
