#include "billing/access.h"

#include <algorithm>
#include <span>
#include <string_view>
#include <tuple>

#include "billing/apply_internal.h"
#include "billing/revocation.h"
#include "util/json_text.h"

namespace stripehook::billing {
namespace {

bool Grants(const Config& config, std::string_view status) {
  const auto& statuses = config.access.granting_statuses;
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

// Which of several subscriptions of one user the decision rests on: granting before past_due
// before other live statuses before ended ones, then the newest (then the greatest id, so that the
// choice never depends on the order the candidates are met in).
std::tuple<int, int64_t, std::string_view> Preference(const Config& config, const Subscription& s) {
  int tier = 0;
  if (Grants(config, s.status)) {
    tier = 3;
  } else if (s.status == "past_due") {
    tier = 2;
  } else if (s.status != "canceled" && s.status != "incomplete_expired") {
    tier = 1;
  }
  return {tier, s.created, s.id};
}

// The user's subscriptions: by metadata.user_id and through each customer. One may be met twice.
const Subscription* ChooseSubscription(const State& state,
                                       std::span<const std::string_view> customers,
                                       std::string_view user_id, const Config& config) {
  const Subscription* best = nullptr;
  auto consider = [&](const std::set<std::string>& ids) {
    for (const std::string& id : ids) {
      const Subscription* s = state.Find<Subscription>(id);
      if (s != nullptr && (best == nullptr || Preference(config, *s) > Preference(config, *best))) {
        best = s;
      }
    }
  };
  consider(state.Related(Relation::kUserSubscriptions, user_id));
  for (std::string_view customer : customers) {
    consider(state.Related(Relation::kCustomerSubscriptions, customer));
  }
  return best;
}

void DecideForSubscription(const Subscription& s, int64_t now, const Config& config,
                           AccessDecision& d) {
  d.status = s.status;
  d.plan = internal::PlanOfSubscription(s, config);
  d.subscription_id = s.id;
  if (!s.items.empty()) d.price = s.items.front().price;
  if (Grants(config, s.status)) {
    int64_t period_end = s.items.empty() ? 0 : s.items.front().current_period_end;
    // cancel_at_period_end keeps access while now < period end (the period is [start, end)).
    if (s.cancel_at_period_end && period_end > 0 && now >= period_end) {
      d.reason = "canceled: period ended";
      return;
    }
    d.access = true;
    d.reason = s.status;
    return;
  }
  if (s.status == "past_due") {
    d.grace_until = s.status_since + config.access.grace_seconds;
    d.access = now <= *d.grace_until;  // inclusive at the end
    d.reason = d.access ? "past_due: in grace period until " + std::to_string(*d.grace_until)
                        : "past_due: grace period over";
    return;
  }
  d.reason = s.status.empty() ? "no subscription" : s.status;
}

// A paid subscription Checkout whose subscription has not arrived yet grants at once.
bool CheckoutGrant(const State& state, std::string_view user_id, const Config& config,
                   AccessDecision& d) {
  for (const std::string& id : state.Related(Relation::kUserSessions, user_id)) {
    const CheckoutSession* s = state.Find<CheckoutSession>(id);
    if (s == nullptr || s->mode != "subscription" || s->status != "complete") continue;
    if (s->payment_status != "paid" && s->payment_status != "no_payment_required") continue;
    if (!s->subscription.empty() && state.Find<Subscription>(s->subscription) != nullptr) continue;
    d.access = true;
    d.status = "active";
    d.reason = "active";
    d.subscription_id = s->subscription;
    if (PlanByName(config, s->plan) != nullptr) d.plan = s->plan;
    return true;
  }
  return false;
}

bool PurchaseGrant(const State& state, std::string_view user_id, const Config& config,
                   AccessDecision& d) {
  for (const std::string& id : state.Related(Relation::kUserPurchases, user_id)) {
    const Purchase* p = state.Find<Purchase>(id);
    if (p == nullptr) continue;
    d.access = true;
    d.reason = "purchase";
    if (PlanByName(config, p->plan) != nullptr) d.plan = p->plan;
    return true;
  }
  return false;
}

void FillPlanDetails(const Config& config, AccessDecision& d) {
  if (!d.access || !d.plan) return;
  if (const Plan* plan = PlanByName(config, *d.plan)) {
    d.features = plan->features;
    d.limits = plan->limits;
  }
}

bool AllDeleted(const State& state, std::span<const std::string_view> customers) {
  if (customers.empty()) return false;
  for (std::string_view id : customers) {
    const Customer* c = state.Find<Customer>(id);
    if (c == nullptr || !c->deleted_at) return false;
  }
  return true;
}

}  // namespace

AccessDecision Access(std::string_view user_id, const State& state, int64_t now,
                      const Config& config) {
  AccessDecision d;
  d.user_id = std::string(user_id);
  d.as_of = now;
  d.reason = "no subscription";
  // Views into `state`, which the caller keeps unchanged while this runs.
  const std::vector<std::string_view> customers = state.CustomerIdsOfUser(user_id);
  const Subscription* sub = ChooseSubscription(state, customers, user_id, config);
  if (sub != nullptr) DecideForSubscription(*sub, now, config, d);
  if (!d.access) {
    AccessDecision alt = d;
    if (CheckoutGrant(state, user_id, config, alt) || PurchaseGrant(state, user_id, config, alt)) {
      d = alt;
    }
  }
  if (AllDeleted(state, customers)) {
    d.access = false;
    d.reason = "customer deleted";
  } else if (d.access) {
    if (std::optional<std::string> revoked = Revocation(state, customers, config)) {
      d.access = false;
      d.reason = *revoked;
    }
  }
  FillPlanDetails(config, d);
  return d;
}

boost::json::object ToJson(const AccessDecision& d) {
  boost::json::object out;
  out["user_id"] = d.user_id;
  out["plan"] = d.plan ? boost::json::value(*d.plan) : boost::json::value(nullptr);
  out["status"] = d.status ? boost::json::value(*d.status) : boost::json::value(nullptr);
  out["access"] = d.access;
  out["reason"] = d.reason;
  out["grace_until"] = d.grace_until ? boost::json::value(*d.grace_until) : nullptr;
  boost::json::array features;
  for (const std::string& f : d.features) features.emplace_back(f);
  out["features"] = std::move(features);
  boost::json::object limits;
  for (const auto& [k, v] : d.limits) limits[k] = v;
  out["limits"] = std::move(limits);
  out["as_of"] = d.as_of;
  return out;
}

namespace {

void AppendNullableString(std::string& out, const std::optional<std::string>& value) {
  if (value) {
    util::AppendJsonString(out, *value);
  } else {
    out += "null";
  }
}

}  // namespace

std::string AccessJson(const AccessDecision& d) {
  std::string out;
  out.reserve(256);
  out += "{\"user_id\":";
  util::AppendJsonString(out, d.user_id);
  out += ",\"plan\":";
  AppendNullableString(out, d.plan);
  out += ",\"status\":";
  AppendNullableString(out, d.status);
  out += d.access ? ",\"access\":true" : ",\"access\":false";
  out += ",\"reason\":";
  util::AppendJsonString(out, d.reason);
  out += ",\"grace_until\":";
  out += d.grace_until ? std::to_string(*d.grace_until) : "null";
  out += ",\"features\":[";
  for (size_t i = 0; i < d.features.size(); ++i) {
    if (i > 0) out += ',';
    util::AppendJsonString(out, d.features[i]);
  }
  out += "],\"limits\":{";
  bool first = true;
  for (const auto& [name, limit] : d.limits) {
    if (!first) out += ',';
    first = false;
    util::AppendJsonString(out, name);
    out += ':';
    out += std::to_string(limit);
  }
  out += "},\"as_of\":";
  out += std::to_string(d.as_of);
  out += '}';
  return out;
}

}  // namespace stripehook::billing
