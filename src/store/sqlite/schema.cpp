// The schema of the SQLite store, as a list of migrations (Chromium sql/ schema style: explicit
// column lists, one statement per line of thought). To change the schema, append a Migration.
#include "store/sqlite/migrations.h"

namespace stripehook::store::sqlite {
namespace {

// The inbox. Times: `created` is Stripe's (Unix seconds); received_at, next_attempt_at and
// processed_at are Unix microseconds of our clock.
//
// `seq` is an explicit INTEGER PRIMARY KEY (the rowid, which VACUUM will not renumber) so that
// rows are appended in arrival order: inserting 3 KB rows stays an append at the right edge of
// the table b-tree however large it grows, and lists page by seq. The Stripe id is UNIQUE, which
// is what `INSERT ... ON CONFLICT (id) DO NOTHING` relies on for exactly-once storage.
//
// Indexes are few and narrow because every one costs each insert:
//  - events_status (status, seq): admin lists by status, and the pipeline claims pending rows
//    in arrival order. New rows land at the end of the 'pending' range: one hot page.
//  - events_object (object_id, seq): admin filter by object; per-object history.
//  - events_retry_due (next_attempt_at) WHERE status = 'failed': the retry scheduler's
//    "failed and due" query (must say `status = 'failed'` for SQLite to use it). Partial, so
//    inserts (always 'pending') never touch it and it holds only the rows awaiting a retry.
// type and created filters are applied while walking seq (see event_queries.cpp).
constexpr std::string_view kCreateEvents = R"sql(
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  created INTEGER NOT NULL,
  livemode INTEGER NOT NULL,
  api_version TEXT,
  account TEXT,
  object_id TEXT NOT NULL,
  object_type TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'processed', 'ignored', 'stale', 'failed', 'dead')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error TEXT,
  processed_at INTEGER,
  payload BLOB NOT NULL
);
CREATE INDEX events_status ON events (status, seq);
CREATE INDEX events_object ON events (object_id, seq);
CREATE INDEX events_retry_due ON events (next_attempt_at) WHERE status = 'failed';
)sql";

// Billing state, its audit trail and the notification outbox (migration 2). Processing a batch
// of events writes all three and the events' status in one transaction.
//
// billing_records holds one JSON document per record (billing/serialization.h defines `doc`),
// keyed by (table_name, key). WITHOUT ROWID: the primary key is the only lookup (GetRecord and
// the upsert) and the rows are small, so the table is its own index and a lookup is one b-tree
// descent instead of two. updated_at is Unix microseconds of our clock.
//
// audit_log and outbox are append-only, so `seq` (the rowid) keeps appends at the right edge:
//  - audit_event (event_id): "what did this event change" (admin event detail, AuditForEvent).
//    The rowid in the index also gives the rows in seq order without a sort.
//  - audit_record (table_name, key): a record's history (admin user check).
//  - outbox_status (status, seq): notify/ claims pending rows in order; like events_status,
//    new rows land at the end of the 'pending' range.
constexpr std::string_view kCreateBilling = R"sql(
CREATE TABLE billing_records (
  table_name TEXT NOT NULL,
  key TEXT NOT NULL,
  doc TEXT NOT NULL,
  updated_at INTEGER,
  PRIMARY KEY (table_name, key)
) WITHOUT ROWID;
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  table_name TEXT NOT NULL,
  key TEXT NOT NULL,
  change TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX audit_event ON audit_log (event_id);
CREATE INDEX audit_record ON audit_log (table_name, key);
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  user_id TEXT NOT NULL,
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX outbox_status ON outbox (status, seq);
)sql";

// Outbox delivery state per channel (migration 3, notify/): a row is delivered to each
// configured channel once; `channels_done` (comma-separated channel names) records which took it,
// so a retry after a partial failure never sends twice to a channel that succeeded.
// outbox_open (id order over undelivered rows) is what the delivery worker walks; partial, so
// delivered rows (the vast majority) cost it nothing. Queries must repeat its WHERE clause.
constexpr std::string_view kOutboxChannels = R"sql(
ALTER TABLE outbox ADD COLUMN channels_done TEXT NOT NULL DEFAULT '';
CREATE INDEX outbox_open ON outbox (seq) WHERE status IN ('pending', 'failed');
CREATE INDEX outbox_user ON outbox (user_id, seq);
)sql";

// Indexes for the admin event list and window statistics (migration 4, admin/), so that a list
// filtered by type, or by arrival time, stays an index walk over a large inbox:
//  - events_type (type, seq): the type filter, newest first, like events_status.
//  - events_received (received_at): turns a time range (stats window, list range) into a seq
//    range. Appends at its right edge, as received_at grows with arrival.
constexpr std::string_view kAdminIndexes = R"sql(
CREATE INDEX events_type ON events (type, seq);
CREATE INDEX events_received ON events (received_at);
)sql";

// The admin list filtered by type AND status (migration 5, admin/): "failed invoice.paid events"
// walked events_type and read every row of the type to check its status (2,000 rows per page of
// 20 at 1 % failed, 20,000 for dead ones). (type, status, seq) answers it in index order. It costs
// one more entry per insert and one move per status change.
constexpr std::string_view kAdminTypeStatusIndex = R"sql(
CREATE INDEX events_type_status ON events (type, status, seq);
)sql";

// Event payloads in a table of their own (migration 6, store/sqlite/event_rows.cpp): an events row
// without its ~3 KB payload is ~200 bytes, so the pipeline's status update rewrites a small row
// sharing its page with ~20 others instead of a whole page per event (it measured one WAL page,
// written again at checkpoint, per event). New rows leave events.payload empty; rows inserted
// before (or by tools writing events directly) keep it inline, and readers take event_payloads'
// copy when there is one. Keyed by the event's seq, appended at the right edge like events.
// The trigger keeps retention cleanup (which deletes events rows) from leaving payloads behind.
constexpr std::string_view kEventPayloads = R"sql(
CREATE TABLE event_payloads (
  seq INTEGER PRIMARY KEY,
  payload BLOB NOT NULL
);
CREATE TRIGGER events_delete_payload AFTER DELETE ON events BEGIN
  DELETE FROM event_payloads WHERE seq = old.seq;
END;
)sql";

constexpr Migration kMigrations[] = {
    {1, "create events", kCreateEvents},
    {2, "create billing records, audit log, outbox", kCreateBilling},
    {3, "outbox delivery state per channel", kOutboxChannels},
    {4, "admin list indexes: events by type, by arrival time", kAdminIndexes},
    {5, "admin list index: events by type and status", kAdminTypeStatusIndex},
    {6, "event payloads in their own table", kEventPayloads},
};

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

}  // namespace stripehook::store::sqlite
