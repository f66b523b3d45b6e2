#pragma once

// The pure half of reconciliation: Stripe's listing of subscriptions and customers against the
// local billing state. No I/O, no clock (the listing carries its own time). What it reports is
// what the repair step acts on: missing and mismatched records are repaired with Stripe's
// snapshot, orphaned ones (local records Stripe no longer has) are only flagged.

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "billing/state.h"

namespace stripehook::reconcile {

// Stripe's side as listed: every subscription (status=all) and customer, and when the listing
// began (Unix seconds). A snapshot read after `listed_at` is at least as new as any event Stripe
// created before that second.
struct StripeListing {
  int64_t listed_at = 0;
  std::vector<boost::json::object> subscriptions;
  std::vector<boost::json::object> customers;
};

enum class FindingKind {
  kMissing,     // Stripe has it, local state does not: repaired
  kMismatched,  // both have it, local fields differ from Stripe's (local is behind): repaired
  kOrphaned,    // local state has it, Stripe does not (deleted, other account): flagged only
};
std::string_view FindingKindName(FindingKind kind);  // "missing", "mismatched", "orphaned"

struct Finding {
  FindingKind kind = FindingKind::kMissing;
  std::string table;  // "subscriptions" | "customers"
  std::string id;
  // For kMismatched: one line per differing field, "status: local active, stripe past_due".
  std::vector<std::string> differences;
  // Stripe's object for kMissing and kMismatched (what a repair carries); absent for kOrphaned.
  std::optional<boost::json::object> snapshot;
  friend bool operator==(const Finding&, const Finding&) = default;
};

struct Comparison {
  std::vector<Finding> findings;  // subscriptions first, then customers; each sorted by id
  int64_t stripe_subscriptions = 0;
  int64_t local_subscriptions = 0;
  int64_t matching_subscriptions = 0;
  int64_t stripe_customers = 0;
  int64_t local_customers = 0;
  // Local records whose snapshot is as new as the listing or newer (a webhook applied while we
  // listed): not compared, since the listing may be the older of the two.
  int64_t skipped_newer = 0;
  // 0-100: the share of subscriptions (Stripe's plus local orphans) that match, rounded down;
  // 100 when there are none.
  int health_score = 100;

  int64_t Count(FindingKind kind) const;
};

// Compares `stripe` with `local`. Customers Stripe no longer lists but that local state already
// knows as deleted (deleted_at set) are not orphans. Deterministic for the same inputs.
Comparison Compare(const StripeListing& stripe, const billing::State& local);

// The part of `local` that a comparison for these customers covers: the customers themselves and
// the subscriptions of any of them (the per-user check compares only that).
billing::State ScopeToCustomers(const billing::State& local,
                                const std::set<std::string>& customers);

// The differing fields of a local subscription against Stripe's (empty when they agree). Fields
// that derive from event history (snapshot, status_since, status_history) are not compared.
std::vector<std::string> SubscriptionDifferences(const billing::Subscription& local,
                                                 const billing::Subscription& stripe);
std::vector<std::string> CustomerDifferences(const billing::Customer& local,
                                             const billing::Customer& stripe);

// {"health_score","subscriptions":{"stripe","local","matching"},"customers":{...},
//  "missing","mismatched","orphaned","skipped_newer","findings":[{"kind","table","id",
//  "differences"}]}
boost::json::object ToJson(const Comparison& comparison);

}  // namespace stripehook::reconcile
