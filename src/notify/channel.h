#pragma once

// A delivery channel of the outbox: app webhooks, email, Redis invalidation, operator alerts.

#include <boost/json.hpp>

#include <cstdint>
#include <string>

#include "store/outbox.h"
#include "util/status.h"

namespace stripehook::notify {

// One outbox row handed to a channel, its JSON body parsed once for all channels.
struct Delivery {
  const store::OutboxEntry& entry;
  const boost::json::object& body;
  int64_t now_us = 0;  // the attempt's time (our clock)
};

// A destination for outbox rows. Deliver is called only for rows Wants() accepts, on the
// deliverer's thread, once per attempt until it returns OK; after OK the row is never offered to
// this channel again (the outbox records it in channels_done). Any non-OK status is a transient
// failure and is retried with backoff until the deadline; a row the channel can never deliver
// (no address known, say) should be answered OK after logging, not retried forever.
// Implementations need not be thread-safe: one deliverer thread owns its channels.
class Channel {
 public:
  virtual ~Channel() = default;
  // Stable and unique among the configured channels, without commas ("webhook:app", "email",
  // "redis", "alerts"): stored in outbox.channels_done.
  virtual const std::string& name() const = 0;
  virtual bool Wants(const store::OutboxEntry& entry) const = 0;
  virtual util::Status Deliver(const Delivery& delivery) = 0;
};

}  // namespace stripehook::notify
