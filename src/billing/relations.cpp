// Who a record belongs to, and the slice of state one user's access depends on.

#include <type_traits>

#include "billing/apply_internal.h"

namespace stripehook::billing::internal {
namespace {

std::string CustomerOfPayment(const State& state, const std::string& charge_id,
                              const std::string& payment_intent_id) {
  if (const Charge* c = state.Find<Charge>(charge_id); c != nullptr && !c->customer.empty()) {
    return c->customer;
  }
  if (const PaymentIntent* p = state.Find<PaymentIntent>(payment_intent_id)) return p->customer;
  return "";
}

template <typename T>
void CopyRecord(const State& from, std::string_view id, State& to) {
  if (const T* r = from.Find<T>(id)) to.Upsert(*r);
}

template <typename T>
void CopyRelated(const State& from, Relation relation, std::string_view key, State& to) {
  for (const std::string& id : from.Related(relation, key)) CopyRecord<T>(from, id, to);
}

void CopyCharge(const State& from, const std::string& charge_id, State& to) {
  const Charge* charge = from.Find<Charge>(charge_id);
  if (charge == nullptr) return;
  to.Upsert(*charge);
  CopyRelated<Refund>(from, Relation::kChargeRefunds, charge_id, to);
  CopyRelated<Dispute>(from, Relation::kChargeDisputes, charge_id, to);
  CopyRelated<Dispute>(from, Relation::kPaymentIntentDisputes, charge->payment_intent, to);
}

void CopyCustomer(const State& from, const std::string& customer, State& to) {
  CopyRecord<Customer>(from, customer, to);
  CopyRelated<Subscription>(from, Relation::kCustomerSubscriptions, customer, to);
  CopyRelated<Invoice>(from, Relation::kCustomerInvoices, customer, to);
  for (const std::string& id : from.Related(Relation::kCustomerPaymentIntents, customer)) {
    CopyRecord<PaymentIntent>(from, id, to);
    CopyRelated<Dispute>(from, Relation::kPaymentIntentDisputes, id, to);
  }
  CopyRelated<CheckoutSession>(from, Relation::kCustomerSessions, customer, to);
  for (const std::string& id : from.Related(Relation::kCustomerCharges, customer)) {
    CopyCharge(from, id, to);
  }
}

}  // namespace

std::string CustomerOfRecord(const Record& record, const State& state) {
  return std::visit(
      [&state](const auto& r) -> std::string {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Customer>) {
          return r.id;
        } else if constexpr (std::is_same_v<T, Refund> || std::is_same_v<T, Dispute>) {
          return CustomerOfPayment(state, r.charge, r.payment_intent);
        } else {
          return r.customer;
        }
      },
      record);
}

std::string UserOfRecord(const Record& record, const State& state) {
  std::string user = std::visit(
      [](const auto& r) -> std::string {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, Customer> || std::is_same_v<T, Subscription> ||
                      std::is_same_v<T, CheckoutSession> || std::is_same_v<T, Purchase>) {
          return r.user_id;
        } else {
          return "";
        }
      },
      record);
  if (!user.empty()) return user;
  std::string customer = CustomerOfRecord(record, state);
  return customer.empty() ? "" : state.UserOfCustomer(customer);
}

State ExtractForUser(const State& state, const std::string& user_id,
                     const std::set<std::string>& customers) {
  State out;
  std::set<std::string> all = state.CustomersOfUser(user_id);
  all.insert(customers.begin(), customers.end());
  for (const std::string& customer : all) CopyCustomer(state, customer, out);
  CopyRelated<CheckoutSession>(state, Relation::kUserSessions, user_id, out);
  CopyRelated<Purchase>(state, Relation::kUserPurchases, user_id, out);
  CopyRelated<Subscription>(state, Relation::kUserSubscriptions, user_id, out);
  // Customers reached only through a session or a subscription's metadata.
  for (const std::string& customer : out.CustomersOfUser(user_id)) {
    if (!all.count(customer)) CopyCustomer(state, customer, out);
  }
  return out;
}

}  // namespace stripehook::billing::internal
