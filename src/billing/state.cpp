#include "billing/state.h"

#include <algorithm>
#include <type_traits>

namespace stripehook::billing {
namespace {

// (relation, from) pairs a record contributes; the "to" side is the record's own key.
template <typename T>
std::vector<std::pair<Relation, std::string>> LinksOf(const T& r) {
  if constexpr (std::is_same_v<T, Customer>) {
    return {{Relation::kUserCustomers, r.user_id}};
  } else if constexpr (std::is_same_v<T, Subscription>) {
    return {{Relation::kCustomerSubscriptions, r.customer},
            {Relation::kUserSubscriptions, r.user_id}};
  } else if constexpr (std::is_same_v<T, Invoice>) {
    return {{Relation::kCustomerInvoices, r.customer}};
  } else if constexpr (std::is_same_v<T, PaymentIntent>) {
    return {{Relation::kCustomerPaymentIntents, r.customer}};
  } else if constexpr (std::is_same_v<T, Charge>) {
    return {{Relation::kCustomerCharges, r.customer},
            {Relation::kPaymentIntentCharges, r.payment_intent}};
  } else if constexpr (std::is_same_v<T, Refund>) {
    return {{Relation::kChargeRefunds, r.charge}};
  } else if constexpr (std::is_same_v<T, Dispute>) {
    return {{Relation::kChargeDisputes, r.charge},
            {Relation::kPaymentIntentDisputes, r.payment_intent}};
  } else if constexpr (std::is_same_v<T, CheckoutSession>) {
    return {{Relation::kUserSessions, r.user_id}, {Relation::kCustomerSessions, r.customer}};
  } else if constexpr (std::is_same_v<T, Purchase>) {
    return {{Relation::kUserPurchases, r.user_id}};
  } else {
    return {};
  }
}

}  // namespace

const std::set<std::string>& State::Related(Relation relation, std::string_view key) const {
  static const std::set<std::string> kEmpty;
  const auto& map = relations_[static_cast<size_t>(relation)];
  auto it = map.find(key);
  return it == map.end() ? kEmpty : it->second;
}

void State::Link(Relation relation, const std::string& from, const std::string& to, bool add) {
  if (from.empty()) return;
  auto& map = relations_[static_cast<size_t>(relation)];
  if (add) {
    map[from].insert(to);
    return;
  }
  auto it = map.find(from);
  if (it == map.end()) return;
  it->second.erase(to);
  if (it->second.empty()) map.erase(it);
}

template <typename T>
void State::Index(const T& record, bool add) {
  const std::string key = KeyOf(Record(record));
  for (const auto& [relation, from] : LinksOf(record)) Link(relation, from, key, add);
}

State::State(const State& other) : tables_(other.tables_), relations_(other.relations_) {
  RebuildIndexes();
}

State& State::operator=(const State& other) {
  if (this == &other) return *this;
  tables_ = other.tables_;
  relations_ = other.relations_;
  RebuildIndexes();
  return *this;
}

void State::RebuildIndexes() {
  std::apply(
      [this](const auto&... table) {
        (
            [this](const auto& t) {
              using T = typename std::decay_t<decltype(t)>::mapped_type;
              TableIndex<T>& index = std::get<TableIndex<T>>(indexes_);
              index.clear();
              index.reserve(t.size());
              for (const auto& [key, record] : t) index.emplace(key, &record);
            }(table),
            ...);
      },
      tables_);
}

template <typename T>
void State::UpsertTyped(const T& record) {
  Table<T>& t = std::get<Table<T>>(tables_);
  const std::string key = KeyOf(Record(record));
  auto it = t.find(key);
  if (it != t.end()) {
    Index(it->second, /*add=*/false);
    it->second = record;
  } else {
    it = t.emplace(key, record).first;
    std::get<TableIndex<T>>(indexes_).emplace(it->first, &it->second);
  }
  Index(record, /*add=*/true);
}

template <typename T>
void State::EraseTyped(const std::string& key) {
  Table<T>& t = std::get<Table<T>>(tables_);
  auto it = t.find(key);
  if (it == t.end()) return;
  Index(it->second, /*add=*/false);
  std::get<TableIndex<T>>(indexes_).erase(it->first);
  t.erase(it);
}

void State::Upsert(const Record& record) {
  std::visit([this](const auto& r) { UpsertTyped(r); }, record);
}

void State::Erase(const Record& record) {
  std::visit(
      [this, &record](const auto& r) { EraseTyped<std::decay_t<decltype(r)>>(KeyOf(record)); },
      record);
}

std::set<std::string> State::CustomersOfUser(std::string_view user_id) const {
  std::set<std::string> customers;
  for (std::string_view id : CustomerIdsOfUser(user_id)) customers.emplace(id);
  return customers;
}

std::vector<std::string_view> State::CustomerIdsOfUser(std::string_view user_id) const {
  const std::set<std::string>& direct = Related(Relation::kUserCustomers, user_id);
  std::vector<std::string_view> ids(direct.begin(), direct.end());
  for (const std::string& session_id : Related(Relation::kUserSessions, user_id)) {
    const CheckoutSession* session = Find<CheckoutSession>(session_id);
    if (session != nullptr && !session->customer.empty()) ids.emplace_back(session->customer);
  }
  for (const std::string& sub_id : Related(Relation::kUserSubscriptions, user_id)) {
    const Subscription* sub = Find<Subscription>(sub_id);
    if (sub != nullptr && !sub->customer.empty()) ids.emplace_back(sub->customer);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

std::string State::UserOfCustomer(std::string_view customer_id) const {
  const Customer* customer = Find<Customer>(customer_id);
  if (customer != nullptr && !customer->user_id.empty()) return customer->user_id;
  // Fall back to Checkout sessions naming this customer (client_reference_id).
  for (const std::string& session_id : Related(Relation::kCustomerSessions, customer_id)) {
    const CheckoutSession* session = Find<CheckoutSession>(session_id);
    if (session != nullptr && !session->user_id.empty()) return session->user_id;
  }
  for (const std::string& sub_id : Related(Relation::kCustomerSubscriptions, customer_id)) {
    const Subscription* sub = Find<Subscription>(sub_id);
    if (sub != nullptr && !sub->user_id.empty()) return sub->user_id;
  }
  return "";
}

size_t State::record_count() const {
  return std::apply([](const auto&... t) { return (t.size() + ...); }, tables_);
}

}  // namespace stripehook::billing
