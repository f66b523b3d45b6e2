#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/event.h"
#include "util/status.h"

namespace stripehook::store {

// Filters for ListEvents. Unset fields do not filter. Results are newest first in arrival
// (insertion) order; `starting_after` is an event id: results continue after that row, as in
// Stripe's list API. status and object_id filters use an index; type and created ranges are
// checked while walking arrival order (cheap for common values, a long scan for rare ones).
struct EventFilter {
  std::optional<EventStatus> status;
  std::optional<std::string> type;
  std::optional<std::string> object_id;
  std::optional<int64_t> created_gte;  // Unix seconds
  std::optional<int64_t> created_lt;
  std::optional<std::string> starting_after;
  int limit = 100;  // 1..1000
};

struct EventPage {
  std::vector<StoredEvent> events;
  bool has_more = false;
};

using InsertCallback = std::function<void(util::StatusOr<InsertOutcome>)>;

// The durable store: the inbox today, billing state as it grows. Implementations: sqlite/
// (embedded default) and postgres/. All methods are thread-safe.
//
// Durability contract: InsertEventAsync's callback reports kInserted or kDuplicate only after
// the transaction holding the row is committed and synced to stable storage. Concurrent inserts
// share one transaction (group commit). Any storage failure reports kUnavailable (or
// kDeadlineExceeded when the database stayed locked past its deadline) and nothing of that batch
// is visible. A duplicate id never changes the stored row.
class Store {
 public:
  virtual ~Store() = default;

  // Queues `event`; `done` runs exactly once, on the writer thread, after commit or failure;
  // it must be quick and must not wait on another insert. Never blocks the caller. After
  // Shutdown(), or when too many inserts are queued, `done` runs at once on the caller's thread
  // with kUnavailable. An event with received_at_us == 0 is stamped from the store's Clock.
  virtual void InsertEventAsync(NewEvent event, InsertCallback done) = 0;

  // Synchronous convenience over InsertEventAsync (CLI, tests). Blocks until the commit; never
  // call it from an InsertCallback (the writer thread would wait on itself).
  util::StatusOr<InsertOutcome> InsertEvent(NewEvent event);

  // kNotFound when absent.
  virtual util::StatusOr<StoredEvent> GetEvent(std::string_view id) = 0;
  // kInvalidArgument for a limit outside 1..1000 or an unknown `starting_after` id.
  virtual util::StatusOr<EventPage> ListEvents(const EventFilter& filter) = 0;
  virtual util::StatusOr<int64_t> CountEvents() = 0;

  // OK when the database answers a trivial query (readiness).
  virtual util::Status Ping() = 0;

  // Finishes every queued insert (their callbacks run), then stops the writer. Idempotent.
  virtual void Shutdown() = 0;
};

}  // namespace stripehook::store
