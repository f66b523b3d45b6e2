#pragma once

// A Stripe event envelope parsed once for billing: the fields ordering needs and the snapshot.

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace stripehook::billing {

struct Event {
  Event() = default;
  // The snapshot (and previous_attributes) allocate from `storage`; see ParseEvent.
  explicit Event(boost::json::storage_ptr storage) : object(std::move(storage)) {}

  std::string id;    // evt_...
  std::string type;  // e.g. "invoice.paid"
  int64_t created = 0;
  bool livemode = false;
  std::string api_version;
  std::string object_type;  // data.object.object, e.g. "invoice"
  std::string object_id;    // data.object.id; empty for objects without one
  boost::json::object object;
  std::optional<boost::json::object> previous_attributes;
};

// Parses a raw event payload. kInvalidArgument when it is not JSON, not an object with
// "object":"event", or lacks id, type, created or data.object. Never throws.
// The snapshot's JSON is allocated from `storage` (default: the heap). A caller that parses many
// events passes a boost::json::monotonic_resource over a reused buffer: parsing then allocates
// nothing and destroying the Event frees nothing; the Event, and every JSON value copied out of
// it without a storage of its own, must then be gone before the resource.
util::StatusOr<Event> ParseEvent(std::string_view payload, boost::json::storage_ptr storage = {});
// The same from an already parsed JSON value.
util::StatusOr<Event> EventFromJson(const boost::json::value& value);

}  // namespace stripehook::billing
