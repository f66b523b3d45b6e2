#include "store/postgres/pg_admin_queries.h"

#include <string>
#include <utility>

#include "store/postgres/pg_event_rows.h"

namespace stripehook::store::postgres {

util::StatusOr<InboxBacklog> QueryBacklog(PgConnection& conn) {
  // One statement is one snapshot: the counts agree with each other.
  SH_ASSIGN_OR_RETURN(
      PgResult res,
      conn.Query("SELECT "
                 "(SELECT count(*) FROM events WHERE status = 'pending'), "
                 "(SELECT count(*) FROM events WHERE status = 'failed'), "
                 "(SELECT count(*) FROM events WHERE status = 'dead'), "
                 "(SELECT received_at FROM events WHERE status = 'pending' ORDER BY seq LIMIT 1), "
                 "(SELECT count(*) FROM outbox WHERE status IN ('pending', 'failed'))",
                 {}));
  InboxBacklog backlog;
  backlog.pending = res.Int64(0, 0);
  backlog.failed = res.Int64(0, 1);
  backlog.dead = res.Int64(0, 2);
  backlog.oldest_pending_received_us = res.OptionalInt64(0, 3);
  backlog.outbox_open = res.Int64(0, 4);
  return backlog;
}

util::StatusOr<std::optional<StoredEvent>> QueryLatestEventForObject(PgConnection& conn,
                                                                     std::string_view object_id) {
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT " + std::string(kPgEventColumns) +
                                                   " FROM events WHERE object_id = $1 "
                                                   "ORDER BY created DESC, seq DESC LIMIT 1",
                                               {PgParam::Text(std::string(object_id))}));
  if (res.rows() == 0) return std::optional<StoredEvent>();
  SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(res, 0));
  return std::optional<StoredEvent>(std::move(event));
}

}  // namespace stripehook::store::postgres
