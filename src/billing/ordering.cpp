#include "billing/ordering.h"

#include <string>
#include <utility>

#include "billing/json_read.h"

namespace stripehook::billing {
namespace {

// rank = primary * kSecondaryRange + secondary: a lexicographic pair in one integer.
constexpr int64_t kSecondaryRange = 1'000'000'000'000;

struct StatusRankEntry {
  std::string_view object_type;
  std::string_view status;
  int64_t rank;
};

// Forward progress in each lifecycle. Backward moves (past_due -> active, uncollectible -> paid)
// need a payment, which takes Stripe more than the same second; same-rank pairs are terminal
// alternatives that cannot both happen.
constexpr StatusRankEntry kStatusRanks[] = {
    {"subscription", "incomplete", 1},
    {"subscription", "trialing", 2},
    {"subscription", "active", 3},
    {"subscription", "past_due", 4},
    {"subscription", "paused", 4},
    {"subscription", "unpaid", 5},
    {"subscription", "incomplete_expired", 6},
    {"subscription", "canceled", 6},
    {"invoice", "draft", 1},
    {"invoice", "open", 2},
    {"invoice", "uncollectible", 3},
    {"invoice", "paid", 4},
    {"invoice", "void", 4},
    {"charge", "pending", 1},
    {"charge", "failed", 2},
    {"charge", "succeeded", 2},
    {"payment_intent", "requires_payment_method", 1},
    {"payment_intent", "requires_confirmation", 2},
    {"payment_intent", "requires_action", 3},
    {"payment_intent", "processing", 4},
    {"payment_intent", "requires_capture", 5},
    {"payment_intent", "canceled", 6},
    {"payment_intent", "succeeded", 6},
    {"refund", "pending", 1},
    {"refund", "requires_action", 2},
    {"refund", "succeeded", 3},
    {"refund", "failed", 3},
    {"refund", "canceled", 3},
    {"dispute", "warning_needs_response", 1},
    {"dispute", "warning_under_review", 2},
    {"dispute", "needs_response", 3},
    {"dispute", "under_review", 4},
    {"dispute", "warning_closed", 5},
    {"dispute", "won", 5},
    {"dispute", "lost", 5},
    {"checkout.session", "open", 1},
    {"checkout.session", "expired", 2},
    {"checkout.session", "complete", 2},
};

int64_t PaymentStatusRank(std::string_view payment_status) {
  return payment_status == "unpaid" ? 0 : 1;
}

// Tie-breaks within one status (and for objects without one).
int64_t SecondaryRank(const Event& event) {
  const std::string& t = event.object_type;
  if (t == "subscription") {
    if (event.type == "customer.subscription.created") return 0;
    return event.type == "customer.subscription.deleted" ? 2 : 1;
  }
  if (t == "invoice") return json::Int(event.object, "attempt_count");
  if (t == "charge") {
    return json::Int(event.object, "amount_refunded") * 2 +
           (json::Bool(event.object, "disputed") ? 1 : 0);
  }
  if (t == "checkout.session") {
    return PaymentStatusRank(json::String(event.object, "payment_status"));
  }
  if (t == "customer") return event.type == "customer.deleted" ? 1 : 0;
  return 0;
}

}  // namespace

int64_t StatusRank(std::string_view object_type, std::string_view status) {
  for (const StatusRankEntry& entry : kStatusRanks) {
    if (entry.object_type == object_type && entry.status == status) return entry.rank;
  }
  return 0;
}

SnapshotKey SnapshotKeyOf(const Event& event) {
  int64_t primary = StatusRank(event.object_type, json::String(event.object, "status"));
  int64_t secondary = SecondaryRank(event);
  if (secondary < 0) secondary = 0;
  if (secondary >= kSecondaryRange) secondary = kSecondaryRange - 1;
  return SnapshotKey{event.created, primary * kSecondaryRange + secondary, event.id};
}

}  // namespace stripehook::billing
