#include "admin/app_api.h"

#include <boost/json.hpp>

#include <memory>
#include <utility>

#include "billing/serialization.h"
#include "http/auth.h"

namespace stripehook::admin {
namespace {

struct AppApi {
  std::string app_key;
  StateReader read_state;
  const billing::Config* config;
  const util::Clock* clock;
};

http::Response Unauthorized() {
  http::Response r = http::Response::Error(401, "unauthorized",
                                           "missing or wrong app key (Authorization: Bearer)");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

http::Response NotFound(std::string_view what, std::string_view id) {
  return http::Response::Error(404, "not_found",
                               std::string(what) + " '" + std::string(id) + "' is not known");
}

template <typename T>
http::Response RecordResponse(const AppApi& api, std::string_view what, std::string_view id) {
  std::string body;
  api.read_state([&](const billing::State& state) {
    if (const T* record = state.Find<T>(id)) body = billing::ToJson(billing::Record(*record));
  });
  if (body.empty()) return NotFound(what, id);
  return http::Response::Json(200, std::move(body));
}

http::Response AccessResponse(const AppApi& api, std::string_view user_id) {
  int64_t now = api.clock->NowUnixSeconds();
  billing::AccessDecision decision;
  api.read_state([&](const billing::State& state) {
    decision = billing::Access(user_id, state, now, *api.config);
  });
  return http::Response::Json(200, billing::AccessJson(decision));
}

http::Response PurchasesResponse(const AppApi& api, std::string_view user_id) {
  boost::json::array data;
  api.read_state([&](const billing::State& state) {
    for (const std::string& id : state.Related(billing::Relation::kUserPurchases, user_id)) {
      if (const billing::Purchase* p = state.Find<billing::Purchase>(id)) {
        data.push_back(billing::RecordToJsonValue(billing::Record(*p)));
      }
    }
  });
  boost::json::object list{{"object", "list"}, {"data", std::move(data)}, {"has_more", false}};
  return http::Response::Json(200, boost::json::serialize(list));
}

// Wraps a read handler with the key check.
http::Handler Guarded(std::shared_ptr<const AppApi> api,
                      std::function<http::Response(const AppApi&, const http::Request&)> read) {
  return [api = std::move(api), read = std::move(read)](http::Request&& request,
                                                        http::Responder respond) {
    if (!http::RequestHasKey(request, api->app_key)) return respond(Unauthorized());
    respond(read(*api, request));
  };
}

}  // namespace

void AddAppApiRoutes(http::Router& router, std::string app_key, StateReader read_state,
                     const billing::Config* config, const util::Clock* clock) {
  auto api = std::make_shared<const AppApi>(
      AppApi{std::move(app_key), std::move(read_state), config, clock});
  router.Add("GET", "/v1/access/{user_id}",
             Guarded(api, [](const AppApi& a, const http::Request& r) {
               return AccessResponse(a, r.Param("user_id"));
             }));
  router.Add("GET", "/v1/customers/{id}", Guarded(api, [](const AppApi& a, const http::Request& r) {
               return RecordResponse<billing::Customer>(a, "customer", r.Param("id"));
             }));
  router.Add("GET", "/v1/subscriptions/{id}",
             Guarded(api, [](const AppApi& a, const http::Request& r) {
               return RecordResponse<billing::Subscription>(a, "subscription", r.Param("id"));
             }));
  router.Add("GET", "/v1/users/{user_id}/purchases",
             Guarded(api, [](const AppApi& a, const http::Request& r) {
               return PurchasesResponse(a, r.Param("user_id"));
             }));
}

}  // namespace stripehook::admin
