// GET /admin/users/{user_id} (check-user) and POST /admin/users/{user_id}/fix (fix-user).
#include <set>
#include <string>
#include <utility>

#include "admin/admin_internal.h"
#include "billing/access.h"
#include "billing/serialization.h"

namespace stripehook::admin::internal {
namespace {

constexpr int kRecentEvents = 20;
constexpr size_t kMaxObjects = 500;

// What billing state knows of one user, copied out of the state lock.
struct UserView {
  std::string user_id;
  std::string matched_by;  // "user_id" | "customer_id" | "email"
  boost::json::array customers, subscriptions, invoices, purchases;
  std::vector<std::string> objects;  // the user's customers and everything tied to them
  billing::AccessDecision access;
};

// The user a query names: a customer id, an email of a customer, or a user id.
std::pair<std::string, std::string> ResolveUser(const billing::State& state, const std::string& q) {
  if (const billing::Customer* c = state.Find<billing::Customer>(q)) {
    std::string user = state.UserOfCustomer(c->id);
    return {user.empty() ? q : user, "customer_id"};
  }
  if (q.find('@') != std::string::npos) {
    for (const auto& [id, c] : state.table<billing::Customer>()) {
      if (c.email != q) continue;
      std::string user = state.UserOfCustomer(id);
      return {user.empty() ? id : user, "email"};
    }
  }
  return {q, "user_id"};
}

template <typename T>
void AppendRecords(const billing::State& state, const std::set<std::string>& ids,
                   boost::json::array& out, std::vector<std::string>& objects) {
  for (const std::string& id : ids) {
    if (const T* record = state.Find<T>(id)) {
      out.push_back(billing::RecordToJsonValue(billing::Record(*record)));
      objects.push_back(id);
    }
  }
}

void CollectUser(const billing::State& state, const billing::Config& config, int64_t now,
                 UserView& v) {
  std::set<std::string> customers = state.CustomersOfUser(v.user_id);
  // A customer without a user id stands for its own user (matched by customer id or email).
  if (state.Find<billing::Customer>(v.user_id) != nullptr) customers.insert(v.user_id);
  std::set<std::string> subscriptions =
      state.Related(billing::Relation::kUserSubscriptions, v.user_id);
  std::set<std::string> invoices;
  for (const std::string& c : customers) {
    const auto& subs = state.Related(billing::Relation::kCustomerSubscriptions, c);
    subscriptions.insert(subs.begin(), subs.end());
    const auto& inv = state.Related(billing::Relation::kCustomerInvoices, c);
    invoices.insert(inv.begin(), inv.end());
    for (std::string& id : ObjectsOfCustomer(state, c)) v.objects.push_back(std::move(id));
  }
  std::vector<std::string> ignored;
  AppendRecords<billing::Customer>(state, customers, v.customers, ignored);
  AppendRecords<billing::Subscription>(state, subscriptions, v.subscriptions, v.objects);
  AppendRecords<billing::Invoice>(state, invoices, v.invoices, v.objects);
  AppendRecords<billing::Purchase>(
      state, state.Related(billing::Relation::kUserPurchases, v.user_id), v.purchases, v.objects);
  const auto& sessions = state.Related(billing::Relation::kUserSessions, v.user_id);
  v.objects.insert(v.objects.end(), sessions.begin(), sessions.end());
  v.access = billing::Access(v.user_id, state, now, config);
}

util::StatusOr<UserView> LoadUser(const AdminContext& ctx, const std::string& query) {
  UserView v;
  int64_t now = ctx.options.clock->NowUnixSeconds();
  ctx.options.read_state([&](const billing::State& state) {
    std::tie(v.user_id, v.matched_by) = ResolveUser(state, query);
    CollectUser(state, *ctx.options.config, now, v);
  });
  if (v.customers.empty() && v.subscriptions.empty() && v.purchases.empty() && v.objects.empty()) {
    return util::NotFoundError("no user, customer or email '" + query + "' is known");
  }
  std::set<std::string> unique(v.objects.begin(), v.objects.end());
  v.objects.assign(unique.begin(), unique.end());
  if (v.objects.size() > kMaxObjects) v.objects.resize(kMaxObjects);
  return v;
}

util::StatusOr<std::vector<store::StoredEvent>> UserEvents(const AdminContext& ctx,
                                                           const UserView& v,
                                                           std::optional<store::EventStatus> status,
                                                           int limit) {
  store::AdminEventFilter f;
  f.object_ids_any = v.objects;
  f.status = status;
  f.limit = limit;
  SH_ASSIGN_OR_RETURN(store::EventPage page, ctx.options.store->ListEventsForAdmin(f));
  return std::move(page.events);
}

boost::json::value StripeView(const AdminContext& ctx, const std::string& user_id) {
  if (!ctx.options.stripe.stripe_view) return "not_configured";
  util::StatusOr<std::string> view = ctx.options.stripe.stripe_view(user_id);
  if (!view.ok()) return boost::json::object{{"error", view.status().message()}};
  return JsonOrString(*view);
}

http::Response CheckUser(const AdminContext& ctx, const http::Request& r) {
  std::string query(r.Param("user_id"));
  util::StatusOr<UserView> v = LoadUser(ctx, query);
  if (!v.ok()) return ErrorFor(v.status());
  util::StatusOr<std::vector<store::StoredEvent>> events =
      UserEvents(ctx, *v, std::nullopt, kRecentEvents);
  if (!events.ok()) return ErrorFor(events.status());
  boost::json::array recent;
  for (const store::StoredEvent& e : *events) recent.push_back(EventJson(e, false));
  boost::json::object o{{"object", "user_check"},
                        {"query", query},
                        {"matched_by", v->matched_by},
                        {"user_id", v->user_id},
                        {"access", billing::ToJson(v->access)},
                        {"customers", std::move(v->customers)},
                        {"subscriptions", std::move(v->subscriptions)},
                        {"invoices", std::move(v->invoices)},
                        {"purchases", std::move(v->purchases)},
                        {"recent_events", std::move(recent)},
                        {"stripe", StripeView(ctx, v->user_id)}};
  return JsonOk(o);
}

// Re-queues the user's failed and dead events, then asks the Stripe hook to re-sync.
http::Response FixUser(const AdminContext& ctx, const http::Request& r) {
  std::string query(r.Param("user_id"));
  util::StatusOr<UserView> v = LoadUser(ctx, query);
  if (!v.ok()) return ErrorFor(v.status());
  boost::json::array requeued;
  for (store::EventStatus status : {store::EventStatus::kFailed, store::EventStatus::kDead}) {
    util::StatusOr<std::vector<store::StoredEvent>> events = UserEvents(ctx, *v, status, 1000);
    if (!events.ok()) return ErrorFor(events.status());
    for (const store::StoredEvent& e : *events) {
      util::StatusOr<int64_t> n = ctx.options.store->RequeueEvents(e.event.id);
      // kFailedPrecondition: the pipeline retried it meanwhile; nothing to do.
      if (n.ok()) requeued.push_back(boost::json::string(e.event.id));
      if (!n.ok() && n.status().code() != util::StatusCode::kFailedPrecondition) {
        return ErrorFor(n.status());
      }
    }
  }
  boost::json::value resync = "not_configured";
  if (ctx.options.stripe.resync) {
    util::Status s = ctx.options.stripe.resync(v->user_id);
    resync = s.ok() ? boost::json::value("ok") : boost::json::value(s.message());
  }
  util::LogInfo("admin fix user").Str("user_id", v->user_id).Int("requeued", requeued.size());
  return JsonOk(boost::json::object{{"object", "user_fix"},
                                    {"user_id", v->user_id},
                                    {"requeued", std::move(requeued)},
                                    {"resync", std::move(resync)}});
}

}  // namespace

void AddUserRoutes(http::Router& router, AdminAuth& auth, AdminContext* ctx) {
  AddBlockingRoute(router, auth, ctx, "GET", "/admin/users/{user_id}", CheckUser);
  AddBlockingRoute(router, auth, ctx, "POST", "/admin/users/{user_id}/fix", FixUser);
}

}  // namespace stripehook::admin::internal
