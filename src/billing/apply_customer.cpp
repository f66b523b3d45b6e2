// Customers (with the deletion fact), entitlement summaries, and the types with no state.

#include <algorithm>

#include "billing/apply_internal.h"
#include "billing/json_read.h"
#include "billing/stripe_objects.h"

namespace stripehook::billing::internal {

Effects ApplyCustomer(const Event& event, const State& state, const Config&) {
  Effects effects;
  Customer incoming = CustomerFromStripe(event.object);
  incoming.snapshot = SnapshotKeyOf(event);
  const Customer* held = state.Find<Customer>(incoming.id);
  // Deletion is a fact: the earliest customer.deleted, kept whatever snapshot is held.
  std::optional<int64_t> deleted_at = held ? held->deleted_at : std::nullopt;
  if (event.type == "customer.deleted") {
    deleted_at = deleted_at ? std::min(*deleted_at, event.created) : event.created;
  }
  Customer result;
  if (held == nullptr || Supersedes(incoming.snapshot, held->snapshot)) {
    result = std::move(incoming);
  } else {
    effects.outcome = Outcome::kStale;
    result = *held;
  }
  result.deleted_at = deleted_at;
  if (held == nullptr || !(result == *held)) effects.upserts.push_back(std::move(result));
  return effects;
}

Effects ApplyEntitlements(const Event& event, const State& state, const Config&) {
  EntitlementSummary summary = EntitlementSummaryFromStripe(event.object);
  if (summary.customer.empty()) {
    Effects effects;
    effects.outcome = Outcome::kError;
    effects.error = "entitlement summary without customer";
    return effects;
  }
  return ApplySnapshot(event, state, std::move(summary));
}

Effects ApplyNoState(const Event&, const State&, const Config&) { return Effects{}; }

}  // namespace stripehook::billing::internal
