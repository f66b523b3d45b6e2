#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/event.h"

namespace stripehook::store {

// Billing state rows as the store keeps them: one JSON document per record, keyed by the billing
// table name ("customers", "subscriptions", ...) and the record's Stripe id. The store does not
// interpret `doc`; billing/serialization.h defines it.
struct RecordRow {
  std::string table;
  std::string key;
  std::string doc;
  friend bool operator==(const RecordRow&, const RecordRow&) = default;
};

// A write to one record: the new document, or a delete when `doc` is absent.
struct RecordWrite {
  std::string table;
  std::string key;
  std::optional<std::string> doc;
};

// One audit_log row: what one event changed in one record (before/after JSON in `change`).
struct AuditRow {
  std::string event_id;
  std::string table;
  std::string key;
  std::string change;  // {"table","key","before","after"[,"plan_change"]}
  int64_t at_us = 0;
};

// One outbox row: a notification for the application, delivered later by notify/.
struct OutboxRow {
  std::string event_id;
  std::string type;  // "access.changed", "payment.failed", ...
  std::string user_id;
  std::string body;  // JSON
  int64_t created_at_us = 0;
};

// The new processing status of an inbox row.
struct EventStatusUpdate {
  std::string id;
  EventStatus status = EventStatus::kProcessed;
  int attempts = 0;
  std::optional<int64_t> next_attempt_at_us;
  std::optional<std::string> last_error;
  std::optional<int64_t> processed_at_us;
};

// Everything that processing a batch of events changes, committed in ONE transaction: state rows,
// their audit rows, outbox rows and the events' status. Either all of it is durable or none.
struct ProcessingCommit {
  std::vector<RecordWrite> records;  // applied in order: a later write to a key wins
  std::vector<AuditRow> audit;
  std::vector<OutboxRow> outbox;
  std::vector<EventStatusUpdate> events;
  bool empty() const {
    return records.empty() && audit.empty() && outbox.empty() && events.empty();
  }
};

}  // namespace stripehook::store
