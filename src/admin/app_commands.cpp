#include "admin/app_commands.h"

#include <boost/json.hpp>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include "admin/app_commands_guard.h"
#include "admin/work_queue.h"
#include "http/auth.h"
#include "util/log.h"

namespace stripehook::admin {
namespace {

namespace json = boost::json;

struct Commands {
  Commands(AppCommandsOptions o, std::shared_ptr<stripe::StripeClient> c, StateReader r,
           const billing::Config* cfg, const util::Clock* clk)
      : options(std::move(o)),
        client(std::move(c)),
        read_state(std::move(r)),
        config(cfg),
        clock(clk),
        guard(options.checkout_per_user_per_minute, options.idempotency_ttl_seconds),
        work(options.worker_threads) {}
  AppCommandsOptions options;
  std::shared_ptr<stripe::StripeClient> client;
  StateReader read_state;
  const billing::Config* config;
  const util::Clock* clock;
  CheckoutGuard guard;
  WorkQueue work;  // last: joined first, while the members its calls use still live
};

using Command = http::Response (*)(Commands&, const http::Request&);

http::Response Invalid(std::string_view message) {
  return http::Response::Error(400, "invalid_request", message);
}

http::Response FromStripe(const util::Status& status) {
  if (status.code() == util::StatusCode::kNotFound) {
    return http::Response::Error(404, "not_found", status.message());
  }
  return http::Response::Error(502, "stripe_error", status.message());
}

// The body as a JSON object; an empty body is an empty object.
std::optional<json::object> BodyObject(const http::Request& request) {
  if (request.body.empty()) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The plan's first configured price, or "" for an unknown plan or one without prices.
std::string PriceOf(const billing::Config& config, const std::string& plan) {
  auto it = config.plans.find(plan);
  return it == config.plans.end() || it->second.prices.empty() ? "" : it->second.prices.front();
}

// The user's Stripe customer from local state, "" when none is known yet.
std::string CustomerOf(Commands& c, const std::string& user) {
  std::string customer;
  c.read_state([&](const billing::State& state) {
    const auto& ids = state.Related(billing::Relation::kUserCustomers, user);
    if (!ids.empty()) customer = *ids.begin();
  });
  return customer;
}

stripe::Params CheckoutParams(Commands& c, const json::object& body, const std::string& user,
                              const std::string& price) {
  std::string mode = StringField(body, "mode");
  std::string success = StringField(body, "success_url");
  std::string cancel = StringField(body, "cancel_url");
  const json::value* quantity = body.if_contains("quantity");
  stripe::Params p{
      {"mode", mode.empty() ? "subscription" : mode},
      {"client_reference_id", user},
      {"metadata[user_id]", user},
      {"success_url", success.empty() ? c.options.default_success_url : success},
      {"line_items[0][price]", price},
      {"line_items[0][quantity]",
       quantity != nullptr && quantity->is_int64() ? std::to_string(quantity->as_int64()) : "1"}};
  std::string cancel_url = cancel.empty() ? c.options.default_cancel_url : cancel;
  if (!cancel_url.empty()) p.emplace_back("cancel_url", cancel_url);
  std::string customer = CustomerOf(c, user);
  if (!customer.empty()) p.emplace_back("customer", customer);
  if (p[0].second == "subscription") p.emplace_back("subscription_data[metadata][user_id]", user);
  return p;
}

// Checks the request before any Stripe call; an error response, or nullopt when it is usable.
std::optional<http::Response> CheckCheckout(Commands& c, const json::object& body) {
  std::string user = StringField(body, "user_id");
  std::string plan = StringField(body, "plan");
  std::string mode = StringField(body, "mode");
  if (user.empty() || plan.empty()) return Invalid("user_id and plan are required");
  if (!mode.empty() && mode != "subscription" && mode != "payment") {
    return Invalid("mode must be subscription or payment");
  }
  if (PriceOf(*c.config, plan).empty()) return Invalid("unknown plan '" + plan + "'");
  if (StringField(body, "success_url").empty() && c.options.default_success_url.empty()) {
    return Invalid("success_url is required");
  }
  return std::nullopt;
}

http::Response Checkout(Commands& c, const http::Request& request) {
  std::optional<json::object> body = BodyObject(request);
  if (!body) return Invalid("body must be a JSON object");
  if (auto bad = CheckCheckout(c, *body)) return *bad;
  std::string user = StringField(*body, "user_id");
  std::string plan = StringField(*body, "plan");
  std::string key(request.Header("idempotency-key").value_or(""));
  int64_t now = c.clock->NowUnixSeconds();
  if (!key.empty()) {
    if (auto again = c.guard.Remembered(user, key, now)) return http::Response::Json(200, *again);
  }
  if (int64_t wait = c.guard.TakeSlot(user, now); wait > 0) {
    http::Response r =
        http::Response::Error(429, "rate_limited", "too many checkouts for this user");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  std::string price = PriceOf(*c.config, plan);
  std::string stripe_key = key.empty() ? "" : "checkout-" + user + "-" + key;
  auto session = c.client->Post("/v1/checkout/sessions", CheckoutParams(c, *body, user, price),
                                stripe::Priority::kLive, stripe_key);
  if (!session.ok()) return FromStripe(session.status());
  json::object out{{"id", session->body["id"]},
                   {"url", session->body["url"]},
                   {"mode", session->body["mode"]},
                   {"plan", plan},
                   {"price", price},
                   {"user_id", user}};
  std::string answer = json::serialize(out);
  if (!key.empty()) c.guard.Remember(user, key, answer, now);
  util::LogInfo("checkout session created").Str("user_id", user).Str("plan", plan);
  return http::Response::Json(200, std::move(answer));
}

// The id of the subscription's first item, read from Stripe (the local copy may lag).
util::StatusOr<std::string> FirstItemId(Commands& c, const std::string& subscription) {
  SH_ASSIGN_OR_RETURN(stripe::ApiResponse sub, c.client->Get("/v1/subscriptions/" + subscription,
                                                             {}, stripe::Priority::kLive));
  const json::value* items = sub.body.if_contains("items");
  const json::value* data =
      items != nullptr && items->is_object() ? items->as_object().if_contains("data") : nullptr;
  if (data == nullptr || !data->is_array() || data->as_array().empty() ||
      !data->as_array()[0].is_object()) {
    return util::FailedPreconditionError("subscription " + subscription + " has no items");
  }
  return StringField(data->as_array()[0].as_object(), "id");
}

http::Response ChangePlan(Commands& c, const http::Request& request) {
  std::optional<json::object> body = BodyObject(request);
  if (!body) return Invalid("body must be a JSON object");
  std::string plan = StringField(*body, "plan");
  std::string price = PriceOf(*c.config, plan);
  if (price.empty()) return Invalid("unknown plan '" + plan + "'");
  std::string subscription(request.Param("id"));
  util::StatusOr<std::string> item = FirstItemId(c, subscription);
  if (!item.ok()) {
    if (item.status().code() == util::StatusCode::kFailedPrecondition) {
      return Invalid(item.status().message());
    }
    return FromStripe(item.status());
  }
  stripe::Params params{{"items[0][id]", *item},
                        {"items[0][price]", price},
                        {"proration_behavior", "create_prorations"}};
  auto updated =
      c.client->Post("/v1/subscriptions/" + subscription, params, stripe::Priority::kLive);
  if (!updated.ok()) return FromStripe(updated.status());
  util::LogInfo("plan change sent").Str("subscription", subscription).Str("plan", plan);
  json::object out{{"subscription", subscription}, {"plan", plan}, {"price", price}};
  return http::Response::Json(200, json::serialize(out));
}

// Subscriptions of the user not yet canceled: the user's own and those of the user's customers.
std::vector<std::string> LiveSubscriptionsOf(Commands& c, const std::string& user) {
  std::vector<std::string> out;
  c.read_state([&](const billing::State& state) {
    std::set<std::string> ids = state.Related(billing::Relation::kUserSubscriptions, user);
    for (const std::string& customer : state.Related(billing::Relation::kUserCustomers, user)) {
      const auto& more = state.Related(billing::Relation::kCustomerSubscriptions, customer);
      ids.insert(more.begin(), more.end());
    }
    for (const std::string& id : ids) {
      const billing::Subscription* sub = state.Find<billing::Subscription>(id);
      if (sub != nullptr && sub->status != "canceled" && sub->status != "incomplete_expired") {
        out.push_back(id);
      }
    }
  });
  return out;
}

http::Response CancelUser(Commands& c, const http::Request& request) {
  std::optional<json::object> body = BodyObject(request);
  if (!body) return Invalid("body must be a JSON object");
  const json::value* flag = body->if_contains("at_period_end");
  if (flag != nullptr && !flag->is_bool()) return Invalid("at_period_end must be true or false");
  bool at_period_end = flag != nullptr && flag->as_bool();
  std::string user(request.Param("user_id"));
  json::array done;
  for (const std::string& id : LiveSubscriptionsOf(c, user)) {
    std::string path = "/v1/subscriptions/" + id;
    auto result = at_period_end ? c.client->Post(path, {{"cancel_at_period_end", "true"}},
                                                 stripe::Priority::kLive)
                                : c.client->Delete(path, {}, stripe::Priority::kLive);
    if (!result.ok()) return FromStripe(result.status());
    done.emplace_back(id);
  }
  util::LogInfo("user subscriptions canceled")
      .Str("user_id", user)
      .Int("count", static_cast<int64_t>(done.size()));
  json::object out{
      {"user_id", user}, {"at_period_end", at_period_end}, {"subscriptions", std::move(done)}};
  return http::Response::Json(200, json::serialize(out));
}

http::Response Unauthorized() {
  http::Response r = http::Response::Error(401, "unauthorized",
                                           "missing or wrong app key (Authorization: Bearer)");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

// Checks the key on the I/O thread, then runs the command on a worker (it waits on Stripe).
http::Handler OnWorker(std::shared_ptr<Commands> c, Command command) {
  return [c = std::move(c), command](http::Request&& request, http::Responder respond) {
    if (!http::RequestHasKey(request, c->options.app_key)) return respond(Unauthorized());
    if (c->client == nullptr) {
      return respond(
          http::Response::Error(503, "stripe_not_configured",
                                "no Stripe key: set STRIPE_SECRET_KEY or [stripe] secret_key"));
    }
    auto shared = std::make_shared<http::Request>(std::move(request));
    // A raw pointer: the queue is a member of *c and finishes its work before *c goes away,
    // and a task must never drop the last reference (the queue would join its own thread).
    Commands* raw = c.get();
    raw->work.Post(
        [raw, command, shared, respond = std::move(respond)] { respond(command(*raw, *shared)); });
  };
}

}  // namespace

void AddAppCommandRoutes(http::Router& router, AppCommandsOptions options,
                         std::shared_ptr<stripe::StripeClient> client, StateReader read_state,
                         const billing::Config* config, const util::Clock* clock) {
  auto c = std::make_shared<Commands>(std::move(options), std::move(client), std::move(read_state),
                                      config, clock);
  router.Add("POST", "/v1/checkout", OnWorker(c, &Checkout));
  router.Add("POST", "/v1/subscriptions/{id}/plan", OnWorker(c, &ChangePlan));
  router.Add("POST", "/v1/users/{user_id}/cancel", OnWorker(c, &CancelUser));
}

}  // namespace stripehook::admin
