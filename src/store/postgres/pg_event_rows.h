#pragma once

#include <string_view>
#include <vector>

#include "store/event.h"
#include "store/postgres/pg_connection.h"
#include "util/status.h"

namespace stripehook::store::postgres {

// The column list ReadStoredEvent expects, in its order.
extern const std::string_view kPgEventColumns;
// The 12 columns of a new row, in EventParams' order.
extern const std::string_view kPgInsertColumns;
inline constexpr int kPgInsertParams = 12;

// Appends the parameters of `event`'s row (payload as binary bytea).
void AppendEventParams(const NewEvent& event, std::vector<PgParam>& params);

// Reads row `row` of a result selected with kPgEventColumns.
util::StatusOr<StoredEvent> ReadStoredEvent(const PgResult& res, int row);

}  // namespace stripehook::store::postgres
