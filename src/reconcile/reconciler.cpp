#include "reconcile/reconciler.h"

#include <utility>

#include "reconcile/repair.h"
#include "util/log.h"

namespace stripehook::reconcile {
namespace {

constexpr stripe::Priority kPriority = stripe::Priority::kRepair;

bool IsDeleted(const boost::json::object& object) {
  const boost::json::value* deleted = object.if_contains("deleted");
  return deleted != nullptr && deleted->is_bool() && deleted->get_bool();
}

boost::json::value Field(const boost::json::object& object, std::string_view key) {
  const boost::json::value* v = object.if_contains(key);
  return v == nullptr ? boost::json::value(nullptr) : *v;
}

boost::json::object SubscriptionSummary(const boost::json::object& s) {
  boost::json::array prices;
  boost::json::value period_end = nullptr;
  const boost::json::value* items = s.if_contains("items");
  if (items != nullptr && items->is_object()) {
    const boost::json::value* data = items->get_object().if_contains("data");
    if (data != nullptr && data->is_array()) {
      for (const boost::json::value& item : data->get_array()) {
        if (!item.is_object()) continue;
        const boost::json::value price = Field(item.get_object(), "price");
        prices.push_back(price.is_object() ? Field(price.get_object(), "id") : price);
        period_end = Field(item.get_object(), "current_period_end");
      }
    }
  }
  return {{"id", Field(s, "id")},
          {"customer", Field(s, "customer")},
          {"status", Field(s, "status")},
          {"prices", std::move(prices)},
          {"current_period_end", std::move(period_end)},
          {"cancel_at_period_end", Field(s, "cancel_at_period_end")}};
}

}  // namespace

boost::json::object ToJson(const ReconcileReport& report) {
  boost::json::object out = ToJson(report.comparison);
  out["listed_at"] = report.listed_at;
  out["repairs_queued"] = report.repairs_queued;
  out["repairs_duplicate"] = report.repairs_duplicate;
  out["repair_events"] =
      boost::json::array(report.repair_event_ids.begin(), report.repair_event_ids.end());
  return out;
}

boost::json::object ToJson(const UserReport& report) {
  boost::json::array customers;
  for (const boost::json::object& c : report.customers) {
    customers.push_back(
        {{"id", Field(c, "id")}, {"email", Field(c, "email")}, {"deleted", IsDeleted(c)}});
  }
  boost::json::array subscriptions;
  for (const boost::json::object& s : report.subscriptions) {
    subscriptions.push_back(SubscriptionSummary(s));
  }
  return {{"user_id", report.user_id},
          {"stripe",
           {{"customers", std::move(customers)}, {"subscriptions", std::move(subscriptions)}}},
          {"comparison", ToJson(report.reconcile)}};
}

Reconciler::Reconciler(store::Store* store, stripe::StripeClient* client, StateReader read_state,
                       const util::Clock* clock, ReconcilerOptions options)
    : store_(store),
      client_(client),
      read_state_(std::move(read_state)),
      clock_(clock),
      options_(std::move(options)) {}

util::StatusOr<StripeListing> Reconciler::ListAll(int64_t listed_at) {
  StripeListing listing;
  listing.listed_at = listed_at;
  SH_RETURN_IF_ERROR(client_->List("/v1/subscriptions", {{"status", "all"}}, kPriority,
                                   [&](const boost::json::object& s) {
                                     listing.subscriptions.push_back(s);
                                     return true;
                                   }));
  SH_RETURN_IF_ERROR(
      client_->List("/v1/customers", {}, kPriority, [&](const boost::json::object& c) {
        if (!IsDeleted(c)) listing.customers.push_back(c);
        return true;
      }));
  return listing;
}

util::StatusOr<StripeListing> Reconciler::ListForCustomers(const std::set<std::string>& customers,
                                                           int64_t listed_at) {
  StripeListing listing;
  listing.listed_at = listed_at;
  for (const std::string& id : customers) {
    util::StatusOr<stripe::ApiResponse> customer =
        client_->Get("/v1/customers/" + id, {}, kPriority);
    if (customer.ok()) {
      listing.customers.push_back(std::move(customer->body));
    } else if (customer.status().code() != util::StatusCode::kNotFound) {
      return customer.status();
    }
    SH_ASSIGN_OR_RETURN(
        std::vector<boost::json::object> subscriptions,
        client_->ListAll("/v1/subscriptions", {{"customer", id}, {"status", "all"}}, kPriority));
    for (boost::json::object& s : subscriptions) listing.subscriptions.push_back(std::move(s));
  }
  return listing;
}

util::Status Reconciler::QueueRepairs(ReconcileReport& report) {
  for (const Finding& finding : report.comparison.findings) {
    if (finding.kind == FindingKind::kOrphaned) continue;
    SH_ASSIGN_OR_RETURN(store::NewEvent event, RepairEvent(finding, report.listed_at));
    std::string id = event.id;
    SH_ASSIGN_OR_RETURN(store::InsertOutcome outcome, store_->InsertEvent(std::move(event)));
    if (outcome == store::InsertOutcome::kDuplicate) {
      ++report.repairs_duplicate;
      continue;
    }
    ++report.repairs_queued;
    report.repair_event_ids.push_back(std::move(id));
    util::LogInfo("reconcile repair queued")
        .Str("event_id", report.repair_event_ids.back())
        .Str("table", finding.table)
        .Str("object_id", finding.id)
        .Str("reason", FindingKindName(finding.kind));
  }
  if (report.repairs_queued > 0 && options_.on_repairs_queued) options_.on_repairs_queued();
  return util::OkStatus();
}

util::StatusOr<ReconcileReport> Reconciler::Run(bool repair) {
  ReconcileReport report;
  report.listed_at = clock_->NowUnixSeconds();
  SH_ASSIGN_OR_RETURN(StripeListing listing, ListAll(report.listed_at));
  read_state_([&](const billing::State& state) { report.comparison = Compare(listing, state); });
  if (repair) SH_RETURN_IF_ERROR(QueueRepairs(report));
  return report;
}

util::StatusOr<UserReport> Reconciler::CheckUser(std::string_view user_id, bool repair) {
  UserReport user;
  user.user_id = std::string(user_id);
  std::set<std::string> customers;
  read_state_([&](const billing::State& state) { customers = state.CustomersOfUser(user_id); });
  if (customers.empty()) {
    return util::NotFoundError("no customer of user '" + user.user_id + "' is known locally");
  }
  user.reconcile.listed_at = clock_->NowUnixSeconds();
  SH_ASSIGN_OR_RETURN(StripeListing listing, ListForCustomers(customers, user.reconcile.listed_at));
  read_state_([&](const billing::State& state) {
    user.reconcile.comparison = Compare(listing, ScopeToCustomers(state, customers));
  });
  user.customers = std::move(listing.customers);
  user.subscriptions = std::move(listing.subscriptions);
  if (repair) SH_RETURN_IF_ERROR(QueueRepairs(user.reconcile));
  return user;
}

}  // namespace stripehook::reconcile
