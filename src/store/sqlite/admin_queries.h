#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "store/admin_types.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/write_txn.h"
#include "store/store.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// Queries behind the admin store methods (semantics as documented on Store). Reads run on any
// connection (normally a ReadPool one); CleanupBatch runs inside a writer transaction.

util::StatusOr<EventPage> QueryAdminEvents(Connection& conn, const AdminEventFilter& filter);
util::StatusOr<EventWindowStats> QueryStatsSince(Connection& conn, int64_t since_us);
util::StatusOr<InboxBacklog> QueryBacklog(Connection& conn);
util::StatusOr<std::optional<StoredEvent>> QueryLatestEventForObject(Connection& conn,
                                                                     std::string_view object_id);
// Deletes at most `batch` cleanable events received before `received_before_us`, never one whose
// id is in `keep_json` (a JSON array of event ids); returns how many.
util::StatusOr<int64_t> CleanupBatch(WriteTxn& txn, int64_t received_before_us,
                                     const std::string& keep_json, int batch);
// `ids` as a JSON array of strings, for json_each().
std::string JsonArrayOf(const std::set<std::string>& ids);

}  // namespace stripehook::store::sqlite
