#include "store/sqlite/event_rows.h"

#include <string>
#include <utility>

#include "store/sqlite/payload_codec.h"

namespace stripehook::store::sqlite {

// The payload goes to event_payloads (migration 6), so the events row stays small: the
// pipeline's status update then rewrites a ~200-byte row sharing its page with others instead of
// a whole page per event. events.payload keeps an empty blob for such rows.
const std::string_view kInsertEventSql =
    "INSERT INTO events (id, type, created, livemode, api_version, account, object_id, "
    "object_type, received_at, source, endpoint, payload) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, X'') "
    "ON CONFLICT (id) DO NOTHING";

const std::string_view kInsertEventPayloadSql =
    "INSERT INTO event_payloads (seq, payload) VALUES (?, ?)";

// Rows written before migration 6 (or by tools that insert into events directly) have no
// event_payloads row and keep their payload inline; the lookup is by rowid, one b-tree descent.
const std::string_view kEventColumns =
    "id, type, created, livemode, api_version, account, object_id, object_type, received_at, "
    "source, endpoint, "
    "COALESCE((SELECT p.payload FROM event_payloads p WHERE p.seq = events.seq), events.payload), "
    "status, attempts, next_attempt_at, last_error, processed_at";

void BindNewEvent(Statement& stmt, const NewEvent& event) {
  stmt.BindText(1, event.id);
  stmt.BindText(2, event.type);
  stmt.BindInt64(3, event.created);
  stmt.BindInt64(4, event.livemode ? 1 : 0);
  stmt.BindOptionalText(5, event.api_version);
  stmt.BindOptionalText(6, event.account);
  stmt.BindText(7, event.object_id);
  stmt.BindText(8, event.object_type);
  stmt.BindInt64(9, event.received_at_us);
  stmt.BindText(10, event.source);
  stmt.BindText(11, event.endpoint);
}

util::StatusOr<StoredEvent> ReadStoredEvent(const Statement& stmt, DamagedPayload damaged) {
  StoredEvent row;
  NewEvent& e = row.event;
  e.id = stmt.ColumnString(0);
  e.type = stmt.ColumnString(1);
  e.created = stmt.ColumnInt64(2);
  e.livemode = stmt.ColumnInt64(3) != 0;
  e.api_version = stmt.ColumnOptionalString(4);
  e.account = stmt.ColumnOptionalString(5);
  e.object_id = stmt.ColumnString(6);
  e.object_type = stmt.ColumnString(7);
  e.received_at_us = stmt.ColumnInt64(8);
  e.source = stmt.ColumnString(9);
  e.endpoint = stmt.ColumnString(10);
  util::StatusOr<std::string> payload = DecodePayload(stmt.ColumnBytes(11));
  if (payload.ok()) {
    e.payload = std::move(payload).value();
  } else if (damaged == DamagedPayload::kReport) {
    row.payload_error = payload.status().ToString();
  } else {
    return payload.status().Annotate("event " + e.id);
  }
  std::string status = stmt.ColumnString(12);
  std::optional<EventStatus> parsed = ParseEventStatus(status);
  if (!parsed) return util::DataLossError("event " + e.id + " has unknown status '" + status + "'");
  row.status = *parsed;
  row.attempts = static_cast<int>(stmt.ColumnInt64(13));
  row.next_attempt_at_us = stmt.ColumnOptionalInt64(14);
  row.last_error = stmt.ColumnOptionalString(15);
  row.processed_at_us = stmt.ColumnOptionalInt64(16);
  return row;
}

}  // namespace stripehook::store::sqlite
