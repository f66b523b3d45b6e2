#include "reconcile/compare.h"

#include <algorithm>
#include <map>
#include <set>

#include "billing/stripe_objects.h"

namespace stripehook::reconcile {
namespace {

using billing::Customer;
using billing::Subscription;

std::string Show(const std::string& value) { return value.empty() ? "(none)" : value; }
std::string Show(bool value) { return value ? "true" : "false"; }
std::string Show(const std::optional<int64_t>& value) {
  return value ? std::to_string(*value) : "null";
}
std::string Show(const std::vector<billing::SubscriptionItem>& items) {
  std::string out;
  for (const billing::SubscriptionItem& item : items) {
    if (!out.empty()) out += ",";
    out += item.price + "x" + std::to_string(item.quantity) + "@" +
           std::to_string(item.current_period_end);
  }
  return out.empty() ? "(none)" : out;
}

template <typename T>
void Diff(std::vector<std::string>& out, std::string_view field, const T& local, const T& stripe) {
  if (local == stripe) return;
  out.push_back(std::string(field) + ": local " + Show(local) + ", stripe " + Show(stripe));
}

// Stripe's objects by id. An object without an id cannot be compared and is left out; so is a
// deleted one ({"id","deleted":true}, what retrieving a deleted customer answers): Stripe no
// longer has it.
std::map<std::string, const boost::json::object*> ById(
    const std::vector<boost::json::object>& objects) {
  std::map<std::string, const boost::json::object*> out;
  for (const boost::json::object& object : objects) {
    const boost::json::value* deleted = object.if_contains("deleted");
    if (deleted != nullptr && deleted->is_bool() && deleted->get_bool()) continue;
    const boost::json::value* id = object.if_contains("id");
    if (id != nullptr && id->is_string()) out[std::string(id->get_string())] = &object;
  }
  return out;
}

// Compares one table. `differences(local, stripe_object)` lists differing fields; `orphan(local)`
// says whether a local record Stripe does not list is an orphan.
template <typename T, typename DiffFn, typename OrphanFn>
void CompareTable(const std::string& table, const std::vector<boost::json::object>& listed,
                  const billing::Table<T>& local, int64_t listed_at, DiffFn differences,
                  OrphanFn orphan, Comparison& out, int64_t* matching) {
  std::map<std::string, const boost::json::object*> stripe = ById(listed);
  std::vector<Finding> found;
  for (const auto& [id, object] : stripe) {
    auto held = local.find(id);
    if (held == local.end()) {
      found.push_back({FindingKind::kMissing, table, id, {}, *object});
      continue;
    }
    if (held->second.snapshot.created >= listed_at) {
      ++out.skipped_newer;
      continue;
    }
    std::vector<std::string> diff = differences(held->second, *object);
    if (diff.empty()) {
      ++*matching;
    } else {
      found.push_back({FindingKind::kMismatched, table, id, std::move(diff), *object});
    }
  }
  for (const auto& [id, record] : local) {
    if (stripe.count(id) == 0 && orphan(record)) {
      found.push_back({FindingKind::kOrphaned, table, id, {}, std::nullopt});
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Finding& a, const Finding& b) { return a.id < b.id; });
  out.findings.insert(out.findings.end(), found.begin(), found.end());
}

int HealthScore(const Comparison& c) {
  int64_t orphaned = 0;
  for (const Finding& f : c.findings) {
    if (f.table == "subscriptions" && f.kind == FindingKind::kOrphaned) ++orphaned;
  }
  int64_t total = c.stripe_subscriptions - c.skipped_newer + orphaned;
  if (total <= 0) return 100;
  return static_cast<int>(c.matching_subscriptions * 100 / total);
}

}  // namespace

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kMissing:
      return "missing";
    case FindingKind::kMismatched:
      return "mismatched";
    case FindingKind::kOrphaned:
      return "orphaned";
  }
  return "unknown";
}

int64_t Comparison::Count(FindingKind kind) const {
  return std::count_if(findings.begin(), findings.end(),
                       [kind](const Finding& f) { return f.kind == kind; });
}

std::vector<std::string> SubscriptionDifferences(const Subscription& local,
                                                 const Subscription& stripe) {
  std::vector<std::string> out;
  Diff(out, "status", local.status, stripe.status);
  Diff(out, "customer", local.customer, stripe.customer);
  Diff(out, "user_id", local.user_id, stripe.user_id);
  Diff(out, "items", local.items, stripe.items);
  Diff(out, "trial_end", local.trial_end, stripe.trial_end);
  Diff(out, "cancel_at_period_end", local.cancel_at_period_end, stripe.cancel_at_period_end);
  Diff(out, "cancel_at", local.cancel_at, stripe.cancel_at);
  Diff(out, "canceled_at", local.canceled_at, stripe.canceled_at);
  Diff(out, "ended_at", local.ended_at, stripe.ended_at);
  Diff(out, "latest_invoice", local.latest_invoice, stripe.latest_invoice);
  return out;
}

std::vector<std::string> CustomerDifferences(const Customer& local, const Customer& stripe) {
  std::vector<std::string> out;
  Diff(out, "email", local.email, stripe.email);
  Diff(out, "name", local.name, stripe.name);
  Diff(out, "user_id", local.user_id, stripe.user_id);
  return out;
}

Comparison Compare(const StripeListing& stripe, const billing::State& local) {
  Comparison out;
  out.stripe_subscriptions = static_cast<int64_t>(ById(stripe.subscriptions).size());
  out.stripe_customers = static_cast<int64_t>(ById(stripe.customers).size());
  out.local_subscriptions = static_cast<int64_t>(local.table<Subscription>().size());
  out.local_customers = static_cast<int64_t>(local.table<Customer>().size());
  int64_t matching_customers = 0;
  CompareTable<Subscription>(
      "subscriptions", stripe.subscriptions, local.table<Subscription>(), stripe.listed_at,
      [](const Subscription& held, const boost::json::object& object) {
        return SubscriptionDifferences(held, billing::SubscriptionFromStripe(object));
      },
      [](const Subscription&) { return true; }, out, &out.matching_subscriptions);
  CompareTable<Customer>(
      "customers", stripe.customers, local.table<Customer>(), stripe.listed_at,
      [](const Customer& held, const boost::json::object& object) {
        return CustomerDifferences(held, billing::CustomerFromStripe(object));
      },
      // Stripe stops listing a deleted customer; local state that saw the deletion agrees.
      [](const Customer& held) { return !held.deleted_at.has_value(); }, out, &matching_customers);
  out.health_score = HealthScore(out);
  return out;
}

billing::State ScopeToCustomers(const billing::State& local,
                                const std::set<std::string>& customers) {
  billing::State scoped;
  for (const std::string& id : customers) {
    if (const Customer* c = local.Find<Customer>(id)) scoped.Upsert(*c);
    for (const std::string& sub : local.Related(billing::Relation::kCustomerSubscriptions, id)) {
      if (const Subscription* s = local.Find<Subscription>(sub)) scoped.Upsert(*s);
    }
  }
  return scoped;
}

boost::json::object ToJson(const Comparison& c) {
  boost::json::array findings;
  for (const Finding& f : c.findings) {
    boost::json::array differences(f.differences.begin(), f.differences.end());
    findings.push_back(boost::json::object{{"kind", FindingKindName(f.kind)},
                                           {"table", f.table},
                                           {"id", f.id},
                                           {"differences", std::move(differences)}});
  }
  return boost::json::object{
      {"health_score", c.health_score},
      {"subscriptions",
       {{"stripe", c.stripe_subscriptions},
        {"local", c.local_subscriptions},
        {"matching", c.matching_subscriptions}}},
      {"customers", {{"stripe", c.stripe_customers}, {"local", c.local_customers}}},
      {"missing", c.Count(FindingKind::kMissing)},
      {"mismatched", c.Count(FindingKind::kMismatched)},
      {"orphaned", c.Count(FindingKind::kOrphaned)},
      {"skipped_newer", c.skipped_newer},
      {"findings", std::move(findings)}};
}

}  // namespace stripehook::reconcile
