#pragma once

#include <cstdint>
#include <string_view>

#include "store/sqlite/connection.h"
#include "store/store.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// Read-side queries of the inbox, on any connection (normally a read-only one from ReadPool).
// Semantics as documented on Store.

// kNotFound when absent.
util::StatusOr<StoredEvent> QueryEvent(Connection& conn, std::string_view id);
// kInvalidArgument for a limit outside 1..1000 or a `starting_after` id that is not stored.
util::StatusOr<EventPage> QueryEvents(Connection& conn, const EventFilter& filter);
util::StatusOr<int64_t> QueryEventCount(Connection& conn);

}  // namespace stripehook::store::sqlite
