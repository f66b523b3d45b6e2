#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stripehook::store {

// Lifecycle of an inbox row. `pending` on arrival; the pipeline moves it on.
enum class EventStatus { kPending, kProcessed, kIgnored, kStale, kFailed, kDead };

std::string_view EventStatusName(EventStatus status);  // "pending", "processed", ...
std::optional<EventStatus> ParseEventStatus(std::string_view name);

// An event as ingest hands it to the store: the routing facts plus the raw body, byte for byte.
struct NewEvent {
  std::string id;
  std::string type;
  int64_t created = 0;  // Stripe's created, Unix seconds
  bool livemode = false;
  std::optional<std::string> api_version;
  std::optional<std::string> account;
  std::string object_id;
  std::string object_type;
  std::string payload;             // raw body as received
  int64_t received_at_us = 0;      // Unix microseconds, from the Clock; 0: the store stamps it
  std::string source = "webhook";  // "webhook" | "backfill" | "replay" | "cli"
  std::string endpoint;            // config name of the endpoint it came through
};

// An inbox row.
struct StoredEvent {
  NewEvent event;
  EventStatus status = EventStatus::kPending;
  int attempts = 0;
  std::optional<int64_t> next_attempt_at_us;
  std::optional<std::string> last_error;
  std::optional<int64_t> processed_at_us;
  // Set, with `event.payload` empty, when a listing met a stored payload it could not read (a
  // damaged SQLite row): one bad row must not hide the others or stop the pipeline, which marks
  // the event failed with this text. A single-event read reports the damage as its error instead.
  std::optional<std::string> payload_error;
};

enum class InsertOutcome { kInserted, kDuplicate };

}  // namespace stripehook::store
