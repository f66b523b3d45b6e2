// GET /admin/health/subscriptions: does billing state agree with the newest stored snapshots?
#include <cmath>
#include <set>
#include <string>
#include <utility>

#include "admin/admin_internal.h"
#include "billing/access.h"

namespace stripehook::admin::internal {
namespace {

// Subscriptions compared with their newest snapshot per request: the check reads one event each.
constexpr size_t kMaxChecked = 5000;

struct SubscriptionFacts {
  std::string id, customer, user_id, status;
  bool access = false;
  bool orphaned = false;  // its customer is not in state
};

struct Survey {
  std::vector<SubscriptionFacts> subscriptions;
  std::set<std::string> missing;  // named by invoices or checkout sessions, not in state
  size_t total = 0;
};

Survey TakeSurvey(const AdminContext& ctx) {
  Survey s;
  int64_t now = ctx.options.clock->NowUnixSeconds();
  ctx.options.read_state([&](const billing::State& state) {
    const auto& subs = state.table<billing::Subscription>();
    s.total = subs.size();
    for (const auto& [id, sub] : subs) {
      if (s.subscriptions.size() == kMaxChecked) break;
      SubscriptionFacts f{id, sub.customer, sub.user_id, sub.status};
      if (f.user_id.empty()) f.user_id = state.UserOfCustomer(sub.customer);
      f.orphaned = state.Find<billing::Customer>(sub.customer) == nullptr;
      if (!f.user_id.empty()) {
        f.access = billing::Access(f.user_id, state, now, *ctx.options.config).access;
      }
      s.subscriptions.push_back(std::move(f));
    }
    for (const auto& [id, inv] : state.table<billing::Invoice>()) {
      if (!inv.subscription.empty() && subs.find(inv.subscription) == subs.end()) {
        s.missing.insert(inv.subscription);
      }
    }
    for (const auto& [id, cs] : state.table<billing::CheckoutSession>()) {
      if (!cs.subscription.empty() && subs.find(cs.subscription) == subs.end()) {
        s.missing.insert(cs.subscription);
      }
    }
  });
  return s;
}

// The status in a stored event's snapshot (data.object.status), or "".
std::string SnapshotStatus(const store::StoredEvent& e) {
  boost::json::value v = JsonOrString(e.event.payload);
  const boost::json::object* root = v.if_object();
  const boost::json::value* data = root ? root->if_contains("data") : nullptr;
  const boost::json::value* object =
      data && data->is_object() ? data->as_object().if_contains("object") : nullptr;
  const boost::json::value* status =
      object && object->is_object() ? object->as_object().if_contains("status") : nullptr;
  return status && status->is_string() ? std::string(status->as_string()) : "";
}

bool GrantsAccess(std::string_view status) { return status == "active" || status == "trialing"; }

util::StatusOr<std::set<std::string>> ObjectsWithStatus(const AdminContext& ctx,
                                                        store::EventStatus status) {
  store::AdminEventFilter f;
  f.status = status;
  f.limit = 1000;
  SH_ASSIGN_OR_RETURN(store::EventPage page, ctx.options.store->ListEventsForAdmin(f));
  std::set<std::string> objects;
  for (const store::StoredEvent& e : page.events) objects.insert(e.event.object_id);
  return objects;
}

constexpr std::string_view kHowComputed =
    "score = round(100 * healthy / (checked subscriptions + missing)); a subscription is "
    "healthy when its newest stored snapshot has the status billing state holds, access agrees "
    "with that snapshot (active/trialing grant), its customer is known, and no event about it is "
    "failed or dead. missing = subscriptions named by invoices or checkout sessions but absent.";

// The verdicts over the surveyed subscriptions.
struct Findings {
  boost::json::array mismatches, orphaned;
  size_t healthy = 0;
};

// Compares each subscription with its newest stored snapshot; `troubled` holds the objects
// with a failed or dead event.
util::Status Judge(const AdminContext& ctx, const Survey& survey,
                   const std::set<std::string>& troubled, Findings& out) {
  for (const SubscriptionFacts& f : survey.subscriptions) {
    SH_ASSIGN_OR_RETURN(std::optional<store::StoredEvent> latest,
                        ctx.options.store->LatestEventForObject(f.id));
    std::string snapshot = latest ? SnapshotStatus(*latest) : f.status;
    // past_due grants or not by its grace period, so only its status is compared.
    bool disagrees =
        snapshot != f.status ||
        (!f.user_id.empty() && f.access != GrantsAccess(snapshot) && f.status != "past_due");
    if (disagrees) {
      out.mismatches.push_back(
          boost::json::object{{"user_id", f.user_id},
                              {"subscription_id", f.id},
                              {"state_status", f.status},
                              {"snapshot_status", snapshot},
                              {"access", f.access},
                              {"snapshot_event_id", latest ? latest->event.id : ""}});
    }
    if (f.orphaned) {
      out.orphaned.push_back(
          boost::json::object{{"subscription_id", f.id}, {"customer", f.customer}});
    }
    if (!disagrees && !f.orphaned && troubled.count(f.id) == 0) ++out.healthy;
  }
  return util::OkStatus();
}

util::StatusOr<std::set<std::string>> TroubledObjects(const AdminContext& ctx) {
  SH_ASSIGN_OR_RETURN(std::set<std::string> failed,
                      ObjectsWithStatus(ctx, store::EventStatus::kFailed));
  SH_ASSIGN_OR_RETURN(std::set<std::string> dead,
                      ObjectsWithStatus(ctx, store::EventStatus::kDead));
  failed.insert(dead.begin(), dead.end());
  return failed;
}

http::Response SubscriptionHealth(const AdminContext& ctx, const http::Request&) {
  Survey survey = TakeSurvey(ctx);
  util::StatusOr<store::InboxBacklog> backlog = ctx.options.store->Backlog();
  if (!backlog.ok()) return ErrorFor(backlog.status());
  util::StatusOr<std::set<std::string>> troubled = TroubledObjects(ctx);
  if (!troubled.ok()) return ErrorFor(troubled.status());
  Findings found;
  if (util::Status s = Judge(ctx, survey, *troubled, found); !s.ok()) return ErrorFor(s);
  size_t denominator = survey.subscriptions.size() + survey.missing.size();
  int64_t score = denominator == 0 ? 100
                                   : std::lround(100.0 * static_cast<double>(found.healthy) /
                                                 static_cast<double>(denominator));
  boost::json::array missing;
  for (const std::string& id : survey.missing) missing.push_back(boost::json::string(id));
  return JsonOk(boost::json::object{{"object", "subscription_health"},
                                    {"score", score},
                                    {"how_computed", kHowComputed},
                                    {"subscriptions", static_cast<int64_t>(survey.total)},
                                    {"checked", static_cast<int64_t>(survey.subscriptions.size())},
                                    {"healthy", static_cast<int64_t>(found.healthy)},
                                    {"failed", backlog->failed},
                                    {"dead", backlog->dead},
                                    {"mismatches", std::move(found.mismatches)},
                                    {"orphaned", std::move(found.orphaned)},
                                    {"missing", std::move(missing)}});
}

}  // namespace

void AddSubscriptionHealthRoute(http::Router& router, AdminAuth& auth, AdminContext* ctx) {
  AddBlockingRoute(router, auth, ctx, "GET", "/admin/health/subscriptions", SubscriptionHealth);
}

}  // namespace stripehook::admin::internal
