#pragma once

// The billing state model: one record type per Stripe object family we track. Every record is a
// plain value (copyable, equality comparable, described for JSON conversion) and carries the
// SnapshotKey of the event whose snapshot it holds, which is what ordering compares.

#include <boost/describe.hpp>

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace stripehook::billing {

// Orders two snapshots of one object: `created` of the event (Stripe's clock, 1 s resolution),
// then `rank` (a status-progression rank that breaks ties inside one second, see ordering.h),
// then the event id (arbitrary but deterministic). A snapshot replaces another only when its key
// is strictly greater.
struct SnapshotKey {
  int64_t created = 0;
  int64_t rank = 0;
  std::string event_id;
  friend auto operator<=>(const SnapshotKey&, const SnapshotKey&) = default;
};
BOOST_DESCRIBE_STRUCT(SnapshotKey, (), (created, rank, event_id))

struct Customer {
  std::string id;
  std::string email;
  std::string name;
  std::string user_id;  // metadata.user_id; empty when absent
  int64_t created = 0;  // the Stripe object's own creation time
  // Earliest customer.deleted seen (a fact, kept even if a newer snapshot says otherwise).
  std::optional<int64_t> deleted_at;
  SnapshotKey snapshot;
  friend bool operator==(const Customer&, const Customer&) = default;
};
BOOST_DESCRIBE_STRUCT(Customer, (), (id, email, name, user_id, created, deleted_at, snapshot))

struct SubscriptionItem {
  std::string id;
  std::string price;
  std::string product;
  int64_t quantity = 0;
  int64_t current_period_start = 0;
  int64_t current_period_end = 0;
  friend bool operator==(const SubscriptionItem&, const SubscriptionItem&) = default;
};
BOOST_DESCRIBE_STRUCT(SubscriptionItem, (),
                      (id, price, product, quantity, current_period_start, current_period_end))

// One subscription snapshot's status, kept so that status_since is a fact of the set of
// snapshots seen and not of their delivery order.
struct StatusObservation {
  SnapshotKey key;
  std::string status;
  friend bool operator==(const StatusObservation&, const StatusObservation&) = default;
};
BOOST_DESCRIBE_STRUCT(StatusObservation, (), (key, status))

struct Subscription {
  std::string id;
  std::string customer;
  std::string user_id;  // metadata.user_id when the integration sets it
  std::string status;
  // `created` of the earliest snapshot of the current run of `status` (e.g. first past_due seen).
  int64_t status_since = 0;
  std::vector<SubscriptionItem> items;
  std::optional<int64_t> trial_end;
  bool cancel_at_period_end = false;
  std::optional<int64_t> cancel_at;
  std::optional<int64_t> canceled_at;
  std::optional<int64_t> ended_at;
  std::string latest_invoice;
  int64_t created = 0;
  // The current run of `status` plus the observation just before it, sorted by key.
  std::vector<StatusObservation> status_history;
  SnapshotKey snapshot;
  friend bool operator==(const Subscription&, const Subscription&) = default;
};
BOOST_DESCRIBE_STRUCT(Subscription, (),
                      (id, customer, user_id, status, status_since, items, trial_end,
                       cancel_at_period_end, cancel_at, canceled_at, ended_at, latest_invoice,
                       created, status_history, snapshot))

struct Invoice {
  std::string id;
  std::string customer;
  std::string subscription;  // parent.subscription_details.subscription
  std::string status;
  int64_t amount_due = 0;
  int64_t amount_paid = 0;
  int64_t amount_remaining = 0;
  int64_t attempt_count = 0;
  std::optional<int64_t> next_payment_attempt;
  std::string hosted_invoice_url;
  std::string billing_reason;
  std::optional<int64_t> paid_at;  // status_transitions.paid_at
  std::string currency;
  int64_t created = 0;
  SnapshotKey snapshot;
  friend bool operator==(const Invoice&, const Invoice&) = default;
};
BOOST_DESCRIBE_STRUCT(Invoice, (),
                      (id, customer, subscription, status, amount_due, amount_paid,
                       amount_remaining, attempt_count, next_payment_attempt, hosted_invoice_url,
                       billing_reason, paid_at, currency, created, snapshot))

struct PaymentIntent {
  std::string id;
  std::string customer;
  std::string status;
  int64_t amount = 0;
  std::string currency;
  std::string failure_code;  // last_payment_error.code
  std::string latest_charge;
  int64_t created = 0;
  SnapshotKey snapshot;
  friend bool operator==(const PaymentIntent&, const PaymentIntent&) = default;
};
BOOST_DESCRIBE_STRUCT(PaymentIntent, (),
                      (id, customer, status, amount, currency, failure_code, latest_charge, created,
                       snapshot))

struct Charge {
  std::string id;
  std::string customer;
  std::string payment_intent;
  std::string status;
  int64_t amount = 0;
  int64_t amount_refunded = 0;
  bool refunded = false;
  bool disputed = false;
  std::string currency;
  std::string failure_code;
  int64_t created = 0;
  SnapshotKey snapshot;
  friend bool operator==(const Charge&, const Charge&) = default;
};
BOOST_DESCRIBE_STRUCT(Charge, (),
                      (id, customer, payment_intent, status, amount, amount_refunded, refunded,
                       disputed, currency, failure_code, created, snapshot))

struct Refund {
  std::string id;
  std::string charge;
  std::string payment_intent;
  std::string status;
  int64_t amount = 0;
  std::string reason;
  int64_t created = 0;
  SnapshotKey snapshot;
  friend bool operator==(const Refund&, const Refund&) = default;
};
BOOST_DESCRIBE_STRUCT(Refund, (),
                      (id, charge, payment_intent, status, amount, reason, created, snapshot))

struct Dispute {
  std::string id;
  std::string charge;
  std::string payment_intent;
  std::string status;
  std::string reason;
  int64_t amount = 0;
  int64_t created = 0;
  SnapshotKey snapshot;
  friend bool operator==(const Dispute&, const Dispute&) = default;
};
BOOST_DESCRIBE_STRUCT(Dispute, (),
                      (id, charge, payment_intent, status, reason, amount, created, snapshot))

struct CheckoutSession {
  std::string id;
  std::string customer;
  std::string user_id;  // client_reference_id, else metadata.user_id
  std::string mode;     // payment | subscription | setup
  std::string status;   // open | complete | expired
  std::string payment_status;
  std::string subscription;
  std::string payment_intent;
  std::string plan;  // metadata.plan
  int64_t amount_total = 0;
  std::string currency;
  int64_t created = 0;
  SnapshotKey snapshot;
  friend bool operator==(const CheckoutSession&, const CheckoutSession&) = default;
};
BOOST_DESCRIBE_STRUCT(CheckoutSession, (),
                      (id, customer, user_id, mode, status, payment_status, subscription,
                       payment_intent, plan, amount_total, currency, created, snapshot))

// A paid one-time Checkout (mode payment). Keyed by the session id; a pure function of the
// session record and the configured fee rate.
struct Purchase {
  std::string id;
  std::string user_id;
  std::string customer;
  std::string payment_intent;
  std::string plan;
  int64_t amount = 0;
  std::string currency;
  int64_t platform_fee = 0;
  int64_t creator_payout = 0;
  int64_t created = 0;
  SnapshotKey snapshot;
  friend bool operator==(const Purchase&, const Purchase&) = default;
};
BOOST_DESCRIBE_STRUCT(Purchase, (),
                      (id, user_id, customer, payment_intent, plan, amount, currency, platform_fee,
                       creator_payout, created, snapshot))

// entitlements.active_entitlement_summary: the object has no id, so it is keyed by customer.
struct EntitlementSummary {
  std::string customer;
  std::vector<std::string> lookup_keys;
  SnapshotKey snapshot;
  friend bool operator==(const EntitlementSummary&, const EntitlementSummary&) = default;
};
BOOST_DESCRIBE_STRUCT(EntitlementSummary, (), (customer, lookup_keys, snapshot))

using Record = std::variant<Customer, Subscription, Invoice, PaymentIntent, Charge, Refund, Dispute,
                            CheckoutSession, Purchase, EntitlementSummary>;

// The store table a record family lives in ("customers", "subscriptions", "invoices",
// "payment_intents", "charges", "refunds", "disputes", "checkout_sessions", "purchases",
// "entitlement_summaries"), and the record's primary key within it.
std::string_view TableOf(const Record& record);
std::string KeyOf(const Record& record);
const SnapshotKey& SnapshotOf(const Record& record);

}  // namespace stripehook::billing
