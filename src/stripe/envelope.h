#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace stripehook::stripe {

// The routing facts of a Stripe event, read from its JSON without keeping the tree.
struct EventEnvelope {
  std::string id;       // "evt_..."
  std::string type;     // "invoice.paid"
  int64_t created = 0;  // Unix seconds
  bool livemode = false;
  std::optional<std::string> api_version;  // null in some fixtures
  std::optional<std::string> account;      // Connect events only
  std::string object_id;    // data.object.id (may be empty for objects without an id)
  std::string object_type;  // data.object.object
};

// Parses an event body. Errors (kInvalidArgument) say exactly what is wrong: not JSON, not an
// object, "object" is not "event", a missing or mistyped id/type/created/data.object.
// Pure: no I/O.
util::StatusOr<EventEnvelope> ParseEventEnvelope(std::string_view body);

}  // namespace stripehook::stripe
