// `stripehook reconcile`, `check-user`, `fix-user`: the Stripe-side repair commands.
#include "app/cli_reconcile.h"

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <set>

#include "app/cli_commands.h"
#include "app/service.h"
#include "billing/access.h"
#include "pipeline/rebuild.h"
#include "reconcile/reconciler.h"
#include "util/clock.h"

namespace stripehook::app {
namespace {

struct ReconcileArgs {
  bool dry_run = false;
  bool json = false;
  std::string user_id;
};

// What every command here needs: the store, the live state loaded from it, and (when a key is
// configured) a client and a reconciler over that state.
struct Session {
  Opened opened;
  billing::State state;
  std::shared_ptr<stripe::StripeClient> client;
  std::unique_ptr<reconcile::Reconciler> reconciler;
  ~Session() {
    if (opened.store) opened.store->Shutdown();
  }
};

std::unique_ptr<Session> OpenSession(const CommonOptions& common, const char* command,
                                     bool need_stripe) {
  std::optional<Opened> opened = OpenForCli(common, command);
  if (!opened) return nullptr;
  auto session = std::make_unique<Session>();
  session->opened = std::move(*opened);
  util::StatusOr<billing::State> state = pipeline::LoadLiveState(*session->opened.store);
  if (!state.ok()) {
    std::cerr << "stripehook " << command << ": " << state.status().message() << "\n";
    return nullptr;
  }
  session->state = std::move(state).value();
  const StripeConfig& stripe = session->opened.config.stripe;
  if (stripe.secret_key.empty()) {
    if (!need_stripe) return session;
    std::cerr << "stripehook " << command
              << ": no Stripe key (STRIPE_SECRET_KEY or [stripe] secret_key)\n";
    return nullptr;
  }
  util::StatusOr<std::shared_ptr<stripe::StripeClient>> client = MakeStripeClient(stripe);
  if (!client.ok()) {
    std::cerr << "stripehook " << command << ": " << client.status().message() << "\n";
    return nullptr;
  }
  session->client = std::move(client).value();
  Session* s = session.get();
  session->reconciler = std::make_unique<reconcile::Reconciler>(
      s->opened.store.get(), s->client.get(), [s](const auto& read) { read(s->state); },
      &util::SystemClock::Default());
  return session;
}

void PrintComparison(const reconcile::ReconcileReport& report) {
  const reconcile::Comparison& c = report.comparison;
  std::cout << "subscriptions: " << c.stripe_subscriptions << " at Stripe, "
            << c.local_subscriptions << " local, " << c.matching_subscriptions << " matching\n"
            << "customers: " << c.stripe_customers << " at Stripe, " << c.local_customers
            << " local\n";
  for (const reconcile::Finding& f : c.findings) {
    std::cout << reconcile::FindingKindName(f.kind) << " " << f.table << "/" << f.id;
    for (const std::string& d : f.differences) std::cout << "  [" << d << "]";
    std::cout << "\n";
  }
  std::cout << "health score " << c.health_score << "/100; "
            << c.Count(reconcile::FindingKind::kMissing) << " missing, "
            << c.Count(reconcile::FindingKind::kMismatched) << " mismatched, "
            << c.Count(reconcile::FindingKind::kOrphaned) << " orphaned (flagged only); "
            << report.repairs_queued << " repair(s) queued";
  if (report.repairs_duplicate > 0) std::cout << ", " << report.repairs_duplicate << " already";
  std::cout << "\n";
}

int RunReconcile(const CommonOptions& common, const ReconcileArgs& args) {
  std::unique_ptr<Session> s = OpenSession(common, "reconcile", /*need_stripe=*/true);
  if (!s) return 2;
  util::StatusOr<reconcile::ReconcileReport> report = s->reconciler->Run(!args.dry_run);
  if (!report.ok()) {
    std::cerr << "stripehook reconcile: " << report.status().message() << "\n";
    return 1;
  }
  if (args.json) {
    std::cout << boost::json::serialize(reconcile::ToJson(*report)) << "\n";
  } else {
    PrintComparison(*report);
  }
  return 0;
}

// Whether a failed event's object belongs to the user: its id is one of theirs, or it names one
// of their customers, or the user directly (Checkout client_reference_id, metadata.user_id).
bool BelongsToUser(const store::StoredEvent& e, const std::set<std::string>& ids,
                   const std::string& user_id) {
  if (ids.count(e.event.object_id) != 0) return true;
  boost::system::error_code ec;
  boost::json::value payload = boost::json::parse(e.event.payload, ec);
  if (ec || !payload.is_object()) return false;
  const boost::json::value* data = payload.get_object().if_contains("data");
  const boost::json::value* object =
      data != nullptr && data->is_object() ? data->get_object().if_contains("object") : nullptr;
  if (object == nullptr || !object->is_object()) return false;
  const boost::json::object& o = object->get_object();
  auto string_at = [](const boost::json::value* v) {
    return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
  };
  const boost::json::value* metadata = o.if_contains("metadata");
  std::string meta_user = metadata != nullptr && metadata->is_object()
                              ? string_at(metadata->get_object().if_contains("user_id"))
                              : "";
  return ids.count(string_at(o.if_contains("customer"))) != 0 ||
         string_at(o.if_contains("client_reference_id")) == user_id || meta_user == user_id;
}

// The user's failed and dead events (the first 1000 of each status).
util::StatusOr<std::vector<std::string>> FailedEventsOfUser(store::Store& store,
                                                            const billing::State& state,
                                                            const std::string& user_id) {
  std::set<std::string> ids = state.CustomersOfUser(user_id);
  for (const std::string& c : std::set<std::string>(ids)) {
    const auto& subs = state.Related(billing::Relation::kCustomerSubscriptions, c);
    ids.insert(subs.begin(), subs.end());
  }
  const auto& own = state.Related(billing::Relation::kUserSubscriptions, user_id);
  ids.insert(own.begin(), own.end());
  std::vector<std::string> out;
  for (store::EventStatus status : {store::EventStatus::kFailed, store::EventStatus::kDead}) {
    store::EventFilter filter;
    filter.status = status;
    filter.limit = 1000;
    SH_ASSIGN_OR_RETURN(store::EventPage page, store.ListEvents(filter));
    for (const store::StoredEvent& e : page.events) {
      if (BelongsToUser(e, ids, user_id)) out.push_back(e.event.id);
    }
  }
  return out;
}

boost::json::object LocalView(const Session& s, const std::string& user_id) {
  const billing::State& state = s.state;
  boost::json::array subscriptions;
  for (const std::string& c : state.CustomersOfUser(user_id)) {
    for (const std::string& id : state.Related(billing::Relation::kCustomerSubscriptions, c)) {
      if (const auto* sub = state.Find<billing::Subscription>(id)) {
        subscriptions.push_back({{"id", sub->id}, {"status", sub->status}});
      }
    }
  }
  std::set<std::string> customers = state.CustomersOfUser(user_id);
  int64_t now = util::SystemClock::Default().NowUnixSeconds();
  return {{"customers", boost::json::array(customers.begin(), customers.end())},
          {"subscriptions", std::move(subscriptions)},
          {"access", billing::ToJson(billing::Access(user_id, state, now, s.opened.billing))}};
}

int RunCheckUser(const CommonOptions& common, const ReconcileArgs& args) {
  std::unique_ptr<Session> s = OpenSession(common, "check-user", /*need_stripe=*/false);
  if (!s) return 2;
  boost::json::object out{{"user_id", args.user_id}, {"local", LocalView(*s, args.user_id)}};
  util::StatusOr<std::vector<std::string>> failed =
      FailedEventsOfUser(*s->opened.store, s->state, args.user_id);
  if (!failed.ok()) {
    std::cerr << "stripehook check-user: " << failed.status().message() << "\n";
    return 1;
  }
  out["failed_events"] = boost::json::array(failed->begin(), failed->end());
  int code = failed->empty() ? 0 : 3;
  if (!s->reconciler) {
    out["stripe"] = "not_configured";
  } else {
    util::StatusOr<reconcile::UserReport> report = s->reconciler->CheckUser(args.user_id, false);
    if (report.ok()) {
      boost::json::object view = reconcile::ToJson(*report);
      out["stripe"] = view["stripe"];
      out["comparison"] = view["comparison"];
      if (!report->reconcile.comparison.findings.empty()) code = 3;
    } else if (report.status().code() == util::StatusCode::kNotFound) {
      out["stripe"] = report.status().message();
    } else {
      std::cerr << "stripehook check-user: " << report.status().message() << "\n";
      return 1;
    }
  }
  std::cout << boost::json::serialize(out) << "\n";
  return code;
}

int RunFixUser(const CommonOptions& common, const ReconcileArgs& args) {
  std::unique_ptr<Session> s = OpenSession(common, "fix-user", /*need_stripe=*/false);
  if (!s) return 2;
  util::StatusOr<std::vector<std::string>> failed =
      FailedEventsOfUser(*s->opened.store, s->state, args.user_id);
  if (!failed.ok()) {
    std::cerr << "stripehook fix-user: " << failed.status().message() << "\n";
    return 1;
  }
  for (const std::string& id : *failed) {
    util::StatusOr<int64_t> requeued = s->opened.store->RequeueEvents(id);
    if (!requeued.ok()) {
      std::cerr << "stripehook fix-user: re-queue " << id << ": " << requeued.status().message()
                << "\n";
      return 1;
    }
  }
  std::cout << "re-queued " << failed->size() << " failed/dead event(s) of " << args.user_id
            << "\n";
  if (!s->reconciler) {
    std::cout << "Stripe re-sync skipped: no Stripe key configured\n";
    return 0;
  }
  util::StatusOr<reconcile::UserReport> report = s->reconciler->CheckUser(args.user_id, true);
  if (!report.ok() && report.status().code() != util::StatusCode::kNotFound) {
    std::cerr << "stripehook fix-user: " << report.status().message() << "\n";
    return 1;
  }
  if (!report.ok()) {
    std::cout << "Stripe re-sync skipped: " << report.status().message() << "\n";
    return 0;
  }
  std::cout << "Stripe re-sync: " << report->reconcile.comparison.findings.size()
            << " difference(s), " << report->reconcile.repairs_queued << " repair(s) queued\n";
  return 0;
}

}  // namespace

void AddReconcileCommands(CLI::App& app, CommonOptions& common, int& code) {
  auto args = std::make_shared<ReconcileArgs>();
  CLI::App* reconcile =
      app.add_subcommand("reconcile",
                         "Compare Stripe's subscriptions and customers with local "
                         "state and queue repairs");
  reconcile->add_flag("--dry-run", args->dry_run, "Report only; queue no repair");
  reconcile->add_flag("--json", args->json, "Print the report as JSON");
  reconcile->callback([&common, &code, args] { code = RunReconcile(common, *args); });
  CLI::App* check = app.add_subcommand("check-user", "Local and Stripe-side view of one user");
  check->add_option("user_id", args->user_id, "Application user id")->required();
  check->callback([&common, &code, args] { code = RunCheckUser(common, *args); });
  CLI::App* fix = app.add_subcommand(
      "fix-user", "Re-queue a user's failed events and re-sync them from Stripe (with a key)");
  fix->add_option("user_id", args->user_id, "Application user id")->required();
  fix->callback([&common, &code, args] { code = RunFixUser(common, *args); });
}

}  // namespace stripehook::app
