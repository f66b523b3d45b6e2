#pragma once

// Internal to billing: the per-family handlers behind Apply() and their shared helpers.

#include <optional>
#include <string>
#include <vector>

#include "billing/apply.h"
#include "billing/ordering.h"

namespace stripehook::billing::internal {

// What a handler decided: records to write or delete, and event-specific notifications (emitted
// only when the outcome is kApplied). `user_id` of notifications is filled in by Apply.
struct Effects {
  Outcome outcome = Outcome::kApplied;
  std::string error;
  std::vector<Record> upserts;
  std::vector<Record> erases;
  std::vector<Notification> notifications;
};

using Handler = Effects (*)(const Event&, const State&, const Config&);

Effects ApplyCustomer(const Event& event, const State& state, const Config& config);
Effects ApplySubscription(const Event& event, const State& state, const Config& config);
Effects ApplyInvoice(const Event& event, const State& state, const Config& config);
Effects ApplyPaymentIntent(const Event& event, const State& state, const Config& config);
Effects ApplyCharge(const Event& event, const State& state, const Config& config);
Effects ApplyRefund(const Event& event, const State& state, const Config& config);
Effects ApplyDispute(const Event& event, const State& state, const Config& config);
Effects ApplyCheckoutSession(const Event& event, const State& state, const Config& config);
Effects ApplyEntitlements(const Event& event, const State& state, const Config& config);
// Known types that carry no billing state (payment methods, setup intents, sources, upcoming
// invoices): applied, no changes.
Effects ApplyNoState(const Event& event, const State& state, const Config& config);

// The handler for an event type, or nullptr when billing does not handle it. `object_type` is
// set to the data.object.object the handler requires ("" when any).
Handler HandlerFor(std::string_view type, std::string_view* object_type);

// Standard last-writer-wins by SnapshotKey for records of type T built by `from_stripe`.
template <typename T>
Effects ApplySnapshot(const Event& event, const State& state, T record) {
  Effects effects;
  record.snapshot = SnapshotKeyOf(event);
  const T* held = state.Find<T>(KeyOf(Record(record)));
  if (held != nullptr && !Supersedes(record.snapshot, held->snapshot)) {
    effects.outcome = Outcome::kStale;
    return effects;
  }
  effects.upserts.push_back(std::move(record));
  return effects;
}

Notification MakeNotification(std::string type, boost::json::object body);

// The customer / user a record belongs to, looked up through `state` where the record itself
// does not say ("" when unknown).
std::string CustomerOfRecord(const Record& record, const State& state);
std::string UserOfRecord(const Record& record, const State& state);

// A copy of the part of `state` that Access() reads for `user_id`, widened by `customers`.
State ExtractForUser(const State& state, const std::string& user_id,
                     const std::set<std::string>& customers);

// Plan of a subscription record under `config` (first item whose price names a plan).
std::optional<std::string> PlanOfSubscription(const Subscription& s, const Config& config);
std::optional<PlanChange> DetectPlanChange(const Subscription* before, const Subscription& after,
                                           const Config& config);

}  // namespace stripehook::billing::internal
