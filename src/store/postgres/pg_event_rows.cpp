#include "store/postgres/pg_event_rows.h"

#include <string>

namespace stripehook::store::postgres {

const std::string_view kPgEventColumns =
    "id, type, created, livemode, api_version, account, object_id, object_type, received_at, "
    "source, endpoint, payload, status, attempts, next_attempt_at, last_error, processed_at";

const std::string_view kPgInsertColumns =
    "id, type, created, livemode, api_version, account, object_id, object_type, received_at, "
    "source, endpoint, payload";

void AppendEventParams(const NewEvent& event, std::vector<PgParam>& params) {
  params.push_back(PgParam::Text(event.id));
  params.push_back(PgParam::Text(event.type));
  params.push_back(PgParam::Int(event.created));
  params.push_back(PgParam::Bool(event.livemode));
  params.push_back(PgParam::OptText(event.api_version));
  params.push_back(PgParam::OptText(event.account));
  params.push_back(PgParam::Text(event.object_id));
  params.push_back(PgParam::Text(event.object_type));
  params.push_back(PgParam::Int(event.received_at_us));
  params.push_back(PgParam::Text(event.source));
  params.push_back(PgParam::Text(event.endpoint));
  params.push_back(PgParam::Bytes(event.payload));
}

util::StatusOr<StoredEvent> ReadStoredEvent(const PgResult& res, int row) {
  StoredEvent stored;
  NewEvent& e = stored.event;
  e.id = res.String(row, 0);
  e.type = res.String(row, 1);
  e.created = res.Int64(row, 2);
  e.livemode = res.Bool(row, 3);
  e.api_version = res.OptionalString(row, 4);
  e.account = res.OptionalString(row, 5);
  e.object_id = res.String(row, 6);
  e.object_type = res.String(row, 7);
  e.received_at_us = res.Int64(row, 8);
  e.source = res.String(row, 9);
  e.endpoint = res.String(row, 10);
  e.payload = res.Bytes(row, 11);
  std::string status = res.String(row, 12);
  std::optional<EventStatus> parsed = ParseEventStatus(status);
  if (!parsed) return util::DataLossError("event " + e.id + " has unknown status '" + status + "'");
  stored.status = *parsed;
  stored.attempts = static_cast<int>(res.Int64(row, 13));
  stored.next_attempt_at_us = res.OptionalInt64(row, 14);
  stored.last_error = res.OptionalString(row, 15);
  stored.processed_at_us = res.OptionalInt64(row, 16);
  return stored;
}

}  // namespace stripehook::store::postgres
