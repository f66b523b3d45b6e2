#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/processing.h"
#include "store/store.h"
#include "util/status.h"

namespace stripehook::store::postgres {

// Inserts `events` with one multi-row INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id.
// outcomes[i] is kInserted for the first occurrence of an id that the statement inserted and
// kDuplicate for the rest (already stored, or repeated earlier in `events`). Outside an
// explicit transaction the statement commits by itself: one round trip, one WAL flush.
util::StatusOr<std::vector<InsertOutcome>> InsertEvents(PgConnection& conn,
                                                        const std::vector<const NewEvent*>& events);

// Writes everything `commit` holds on `conn`, which must be inside a transaction (see
// Store::CommitProcessing), in at most five statements (pg_processing_writes.cpp): records,
// deletions, audit rows, outbox rows, statuses. kNotFound when a status update names an unknown
// event.
util::Status ApplyProcessingCommit(PgConnection& conn, const ProcessingCommit& commit,
                                   int64_t now_us);

// Store::RequeueEvents inside the caller's transaction.
util::StatusOr<int64_t> RequeueInTxn(PgConnection& conn, const std::optional<std::string>& id);

}  // namespace stripehook::store::postgres
