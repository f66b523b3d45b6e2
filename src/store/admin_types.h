#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/event.h"

namespace stripehook::store {

// The admin event list's filter (what operators search by). Unset fields do not filter. Results
// are newest first in arrival order, paged by `starting_after` (an event id) as ListEvents.
struct AdminEventFilter {
  std::optional<EventStatus> status;
  std::optional<std::string> type;
  std::optional<std::string> object_id;
  std::optional<int64_t> created_gte;  // Stripe's created, Unix seconds
  std::optional<int64_t> created_lt;
  std::optional<std::string> starting_after;
  int limit = 100;  // 1..1000
  // Events of any of these objects (a customer and the objects that belong to it: the admin layer
  // resolves a customer to them from billing state). Empty = no filter.
  std::vector<std::string> object_ids_any;
  // Arrival time range, Unix microseconds of our clock: received_at >= gte and < lt. Served by
  // mapping the range to arrival order (seq), which follows received_at to within a commit batch.
  std::optional<int64_t> received_gte_us;
  std::optional<int64_t> received_lt_us;
};

// Inbox figures over the events that arrived since a time (admin stats, webhook health).
struct EventWindowStats {
  int64_t total = 0;
  std::map<std::string, int64_t> by_status;                       // status -> count
  std::map<std::string, std::map<std::string, int64_t>> by_type;  // type -> status -> count
  // received_at -> processed_at, microseconds, over the processed events of the window
  // (sampled: the newest kMaxLatencySamples). Empty when none was processed.
  std::vector<int64_t> processing_latency_us;  // sorted ascending
  static constexpr int kMaxLatencySamples = 200'000;
};

// The state of the processing queue right now (metrics, health).
struct InboxBacklog {
  int64_t pending = 0;
  int64_t failed = 0;
  int64_t dead = 0;
  std::optional<int64_t> oldest_pending_received_us;  // nullopt when nothing is pending
  int64_t outbox_open = 0;  // outbox rows not yet delivered (pending or failed)
};

}  // namespace stripehook::store
