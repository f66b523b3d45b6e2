#pragma once

#include <string_view>

#include "store/event.h"
#include "store/sqlite/statement.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// Inserts one inbox row, without its payload, unless its id is already stored; Changes() tells
// which happened. Parameters: BindNewEvent.
extern const std::string_view kInsertEventSql;

// Stores the payload of the row kInsertEventSql just inserted: (seq = its rowid, payload).
extern const std::string_view kInsertEventPayloadSql;

// The columns ReadStoredEvent expects, in order, for `SELECT <kEventColumns> FROM events ...`
// (the payload is looked up by `events.seq`: the table must not be aliased).
extern const std::string_view kEventColumns;

// Binds every parameter of kInsertEventSql. `event` must outlive the statement's next Reset.
void BindNewEvent(Statement& stmt, const NewEvent& event);

// What ReadStoredEvent does with a stored payload that does not decode (payload_codec.h).
enum class DamagedPayload {
  kFail,    // the read fails with kDataLoss naming the event (single-event reads, rebuild)
  kReport,  // the row is returned with payload_error set (listings, the pipeline's due events)
};

// Reads the current row of a statement that selected kEventColumns.
// kDataLoss when the row holds a status this binary does not know, or (kFail) a damaged payload.
util::StatusOr<StoredEvent> ReadStoredEvent(const Statement& stmt,
                                            DamagedPayload damaged = DamagedPayload::kFail);

}  // namespace stripehook::store::sqlite
