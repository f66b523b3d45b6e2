#pragma once

// The ordering rule (docs/billing.md, "Ordering"): per object, a snapshot replaces the held one
// only when its SnapshotKey {event created, rank, event id} is strictly greater. `rank` breaks
// ties inside one second by how far the object's status has progressed in Stripe's lifecycle,
// so that the more advanced snapshot wins whatever the delivery order.

#include <cstdint>
#include <string_view>

#include "billing/event.h"
#include "billing/model.h"

namespace stripehook::billing {

// Progression rank of a status within an object family ("subscription", "invoice", "charge",
// "payment_intent", "refund", "dispute", "checkout.session"); 0 for unknown statuses.
int64_t StatusRank(std::string_view object_type, std::string_view status);

// The key of the snapshot carried by `event`.
SnapshotKey SnapshotKeyOf(const Event& event);

// True when `incoming` must replace a record held with key `held`.
inline bool Supersedes(const SnapshotKey& incoming, const SnapshotKey& held) {
  return incoming > held;
}

}  // namespace stripehook::billing
