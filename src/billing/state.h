#pragma once

// billing::State: every record keyed by Stripe id, plus indexes derived from the records. A
// value type: copy it, compare it (records only; indexes follow from them), serialise it with
// serialization.h. Thread-compatible (no internal locking).

#include <array>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "billing/model.h"

namespace stripehook::billing {

template <typename T>
using Table = std::map<std::string, T, std::less<>>;

// Find's index over a Table: ids (viewing the table's own keys) to records. std::map nodes never
// move, so the views and pointers stay valid until their record is erased.
template <typename T>
using TableIndex = std::unordered_map<std::string_view, const T*>;

// Hashes std::string and std::string_view alike, so lookups by string_view do not allocate.
struct StringKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// Relations maintained from record fields. Each maps a key to the ids of related records.
enum class Relation {
  kUserCustomers,           // Customer.user_id -> customer ids
  kUserSessions,            // CheckoutSession.user_id -> session ids
  kCustomerSessions,        // CheckoutSession.customer -> session ids
  kUserPurchases,           // Purchase.user_id -> purchase ids
  kUserSubscriptions,       // Subscription.user_id (metadata) -> subscription ids
  kCustomerSubscriptions,   // Subscription.customer
  kCustomerInvoices,        // Invoice.customer
  kCustomerCharges,         // Charge.customer
  kCustomerPaymentIntents,  // PaymentIntent.customer
  kPaymentIntentCharges,    // Charge.payment_intent
  kChargeRefunds,           // Refund.charge
  kChargeDisputes,          // Dispute.charge
  kPaymentIntentDisputes,   // Dispute.payment_intent
  kCount,
};

class State {
 public:
  State() = default;
  // Copies rebuild the id indexes: the copied ones would point into the source's tables.
  State(const State& other);
  State& operator=(const State& other);
  State(State&&) = default;
  State& operator=(State&&) = default;

  template <typename T>
  const Table<T>& table() const {
    return std::get<Table<T>>(tables_);
  }
  // The record of type T with this id, or nullptr. The pointer is invalidated by Upsert/Erase.
  template <typename T>
  const T* Find(std::string_view id) const {
    const TableIndex<T>& index = std::get<TableIndex<T>>(indexes_);
    auto it = index.find(id);
    return it == index.end() ? nullptr : it->second;
  }
  // Ids related to `key` by `relation` (empty set when none).
  const std::set<std::string>& Related(Relation relation, std::string_view key) const;

  // Inserts or replaces the record with the same key, keeping the indexes in step.
  void Upsert(const Record& record);
  // Removes the record with the same table and key as `record` (its other fields are ignored).
  void Erase(const Record& record);

  // Customers of a user: by metadata.user_id, and by the customer of the user's Checkout
  // sessions (client_reference_id). Sorted, unique.
  std::set<std::string> CustomersOfUser(std::string_view user_id) const;
  // The same ids, in the same order, as views into this state: valid until it next changes.
  // For the hot read path (GET /v1/access), which would otherwise copy every id.
  std::vector<std::string_view> CustomerIdsOfUser(std::string_view user_id) const;
  // The user a customer belongs to (metadata.user_id, else a Checkout session's
  // client_reference_id), or "".
  std::string UserOfCustomer(std::string_view customer_id) const;

  size_t record_count() const;

  friend bool operator==(const State& a, const State& b) { return a.tables_ == b.tables_; }

 private:
  template <typename T>
  void UpsertTyped(const T& record);
  template <typename T>
  void EraseTyped(const std::string& key);
  template <typename T>
  void Index(const T& record, bool add);
  void Link(Relation relation, const std::string& from, const std::string& to, bool add);
  void RebuildIndexes();

  std::tuple<Table<Customer>, Table<Subscription>, Table<Invoice>, Table<PaymentIntent>,
             Table<Charge>, Table<Refund>, Table<Dispute>, Table<CheckoutSession>, Table<Purchase>,
             Table<EntitlementSummary>>
      tables_;
  // Hashed, beside the ordered tables (which serialisation and comparison walk in order): a
  // Find in a 100,000-record std::map with long ids was ~17 compares, each a cache miss or two,
  // and a GET /v1/access makes several.
  std::tuple<TableIndex<Customer>, TableIndex<Subscription>, TableIndex<Invoice>,
             TableIndex<PaymentIntent>, TableIndex<Charge>, TableIndex<Refund>, TableIndex<Dispute>,
             TableIndex<CheckoutSession>, TableIndex<Purchase>, TableIndex<EntitlementSummary>>
      indexes_;
  // Hashed, not ordered: only ever looked up by key (a GET /v1/access makes about ten lookups,
  // and a 100,000-user std::map walk cost ~20 dependent cache misses each: 24 % of the server's
  // CPU per request). The id sets stay ordered: callers rely on their order.
  std::array<std::unordered_map<std::string, std::set<std::string>, StringKeyHash, std::equal_to<>>,
             static_cast<size_t>(Relation::kCount)>
      relations_;
};

}  // namespace stripehook::billing
