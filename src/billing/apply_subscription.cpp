// Subscriptions: last snapshot wins, and status_since is derived from the set of status
// observations so that "first event that showed past_due" does not depend on delivery order.

#include <algorithm>

#include "billing/apply_internal.h"
#include "billing/stripe_objects.h"

namespace stripehook::billing::internal {
namespace {

// Keeps the current run of the latest status plus the one observation before it. Observations
// older than that boundary can never change the run again (a late one lands before the
// boundary), so dropping them keeps the result a function of the set of events seen.
std::vector<StatusObservation> Prune(std::vector<StatusObservation> history) {
  std::sort(history.begin(), history.end(),
            [](const StatusObservation& a, const StatusObservation& b) { return a.key < b.key; });
  history.erase(std::unique(history.begin(), history.end(),
                            [](const auto& a, const auto& b) { return a.key == b.key; }),
                history.end());
  if (history.empty()) return history;
  size_t run_start = history.size() - 1;
  while (run_start > 0 && history[run_start - 1].status == history.back().status) --run_start;
  size_t keep_from = run_start == 0 ? 0 : run_start - 1;
  return std::vector<StatusObservation>(history.begin() + static_cast<ptrdiff_t>(keep_from),
                                        history.end());
}

int64_t StatusSince(const std::vector<StatusObservation>& history) {
  if (history.empty()) return 0;
  size_t run_start = history.size() - 1;
  while (run_start > 0 && history[run_start - 1].status == history.back().status) --run_start;
  return history[run_start].key.created;
}

std::map<std::string, int64_t> LimitsOf(const std::optional<std::string>& plan,
                                        const Config& config) {
  if (!plan) return {};
  const Plan* p = PlanByName(config, *plan);
  return p == nullptr ? std::map<std::string, int64_t>{} : p->limits;
}

void SubscriptionNotifications(const Event& event, const Subscription* held,
                               const Subscription& after, Effects& effects) {
  boost::json::object body{{"subscription", after.id},
                           {"customer", after.customer},
                           {"status", after.status},
                           {"event", event.id},
                           {"cancel_at_period_end", after.cancel_at_period_end}};
  if (held == nullptr) {
    effects.notifications.push_back(MakeNotification("subscription.created", body));
  } else if (after.status == "canceled" && held->status != "canceled") {
    effects.notifications.push_back(MakeNotification("subscription.canceled", body));
  } else {
    body["previous_status"] = held->status;
    effects.notifications.push_back(MakeNotification("subscription.updated", body));
  }
  if (event.type == "customer.subscription.trial_will_end") {
    boost::json::object trial{{"subscription", after.id}, {"event", event.id}};
    trial["trial_end"] = after.trial_end ? boost::json::value(*after.trial_end) : nullptr;
    effects.notifications.push_back(MakeNotification("trial.ending", std::move(trial)));
  }
}

}  // namespace

std::optional<std::string> PlanOfSubscription(const Subscription& s, const Config& config) {
  for (const SubscriptionItem& item : s.items) {
    if (auto plan = PlanNameForPrice(config, item.price)) return plan;
  }
  return std::nullopt;
}

std::optional<PlanChange> DetectPlanChange(const Subscription* before, const Subscription& after,
                                           const Config& config) {
  if (before == nullptr) return std::nullopt;
  PlanChange change;
  change.old_plan = PlanOfSubscription(*before, config);
  change.new_plan = PlanOfSubscription(after, config);
  if (change.old_plan == change.new_plan) return std::nullopt;
  change.old_limits = LimitsOf(change.old_plan, config);
  change.new_limits = LimitsOf(change.new_plan, config);
  for (const auto& [name, old_value] : change.old_limits) {
    auto it = change.new_limits.find(name);
    if (it == change.new_limits.end() || it->second < old_value) change.downgrade = true;
  }
  return change;
}

Effects ApplySubscription(const Event& event, const State& state, const Config&) {
  Effects effects;
  Subscription incoming = SubscriptionFromStripe(event.object);
  incoming.snapshot = SnapshotKeyOf(event);
  const Subscription* held = state.Find<Subscription>(incoming.id);
  std::vector<StatusObservation> history =
      held ? held->status_history : std::vector<StatusObservation>{};
  history.push_back({incoming.snapshot, incoming.status});
  history = Prune(std::move(history));
  Subscription result;
  if (held == nullptr || Supersedes(incoming.snapshot, held->snapshot)) {
    result = std::move(incoming);
  } else {
    effects.outcome = Outcome::kStale;
    result = *held;
  }
  result.status_history = std::move(history);
  result.status_since = StatusSince(result.status_history);
  if (held != nullptr && result == *held) return effects;
  if (effects.outcome == Outcome::kApplied) {
    SubscriptionNotifications(event, held, result, effects);
  }
  effects.upserts.push_back(std::move(result));
  return effects;
}

}  // namespace stripehook::billing::internal
