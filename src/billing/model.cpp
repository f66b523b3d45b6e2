#include "billing/model.h"

#include <type_traits>

namespace stripehook::billing {

std::string_view TableOf(const Record& record) {
  static constexpr std::string_view kTables[] = {
      "customers", "subscriptions",     "invoices",  "payment_intents",      "charges", "refunds",
      "disputes",  "checkout_sessions", "purchases", "entitlement_summaries"};
  static_assert(std::size(kTables) == std::variant_size_v<Record>);
  return kTables[record.index()];
}

std::string KeyOf(const Record& record) {
  return std::visit(
      [](const auto& r) -> std::string {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, EntitlementSummary>) {
          return r.customer;
        } else {
          return r.id;
        }
      },
      record);
}

const SnapshotKey& SnapshotOf(const Record& record) {
  return std::visit([](const auto& r) -> const SnapshotKey& { return r.snapshot; }, record);
}

}  // namespace stripehook::billing
