#pragma once

#include <optional>
#include <string_view>

#include "store/admin_types.h"
#include "store/event.h"
#include "store/postgres/pg_connection.h"
#include "util/status.h"

namespace stripehook::store::postgres {

// Store::Backlog and Store::LatestEventForObject (see store.h), one snapshot each.
util::StatusOr<InboxBacklog> QueryBacklog(PgConnection& conn);
util::StatusOr<std::optional<StoredEvent>> QueryLatestEventForObject(PgConnection& conn,
                                                                     std::string_view object_id);

}  // namespace stripehook::store::postgres
