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

// Parses an event body in one pass, without building a JSON tree. Errors are kInvalidArgument
// with a message that says exactly what is wrong:
//   "body is not valid JSON: <why>"  (syntax, empty, trailing data, a UTF-8 byte order mark,
//                                     invalid UTF-8, nesting deeper than 64 levels)
//   "body must be a JSON object (a Stripe event)"
//   "missing field 'object'" / "'object' must be \"event\" (got \"customer\")"
//   "missing field 'id'|'type'|'created'|'data'|'data.object'"
//   "'created' must be an integer", "'id' must be a string", "'data.object' must be an object", ...
// livemode, api_version, account and data.object.id/object may be absent (null counts as absent
// for the optional strings) but not mistyped. Duplicate keys: the last one wins. May return
// kResourceExhausted if memory runs out. Pure, thread-safe; allocates only the envelope's strings.
util::StatusOr<EventEnvelope> ParseEventEnvelope(std::string_view body);

}  // namespace stripehook::stripe
