#pragma once

// Shared by the admin API's translation units; not part of the admin interface.

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin_api.h"
#include "admin/work_queue.h"
#include "billing/state.h"
#include "http/message.h"
#include "store/store.h"
#include "util/log.h"
#include "util/status.h"

namespace stripehook::admin::internal {

// What every admin handler reads. Owned by the AdminApi object; handlers hold a raw pointer.
struct AdminContext {
  explicit AdminContext(AdminApiOptions o) : options(std::move(o)), work(options.worker_threads) {}
  AdminApiOptions options;
  WorkQueue work;
};

using BlockingHandler = std::function<http::Response(const AdminContext&, const http::Request&)>;

// Registers `method pattern` behind `auth`, running `handler` on the context's worker threads.
void AddBlockingRoute(http::Router& router, AdminAuth& auth, AdminContext* ctx, std::string method,
                      std::string pattern, BlockingHandler handler);

// 400 invalid_request, 404 not_found, 409 conflict, 503 unavailable, 500 internal by code.
http::Response ErrorFor(const util::Status& status);
http::Response JsonOk(const boost::json::value& value, int status = 200);
// {"object":"list","data":data,"has_more":has_more} (plus "url" as Stripe sends it).
boost::json::object ListObject(std::string_view url, boost::json::array data, bool has_more);

// "30d", "24h", "15m", "90s" → seconds (1 s .. 400 d). kInvalidArgument names `param`.
util::StatusOr<int64_t> ParseDuration(std::string_view text, std::string_view param);
// `limit` query parameter, default `fallback`; kInvalidArgument outside 1..1000.
util::StatusOr<int> ParseLimit(const http::Request& request, int fallback);

// The event without its payload (lists); with_payload adds the payload (parsed when JSON).
boost::json::object EventJson(const store::StoredEvent& event, bool with_payload);
// Parses JSON text without throwing; the text itself as a string when it is not JSON.
boost::json::value JsonOrString(std::string_view text);
double Micros2Seconds(int64_t micros);

// The customer and every object billing state ties to it (subscriptions, invoices, charges,
// payment intents, checkout sessions): the events "of a customer" are the events of these.
std::vector<std::string> ObjectsOfCustomer(const billing::State& state, std::string_view customer);

void AddEventRoutes(http::Router& router, AdminAuth& auth, AdminContext* ctx);
void AddStatsRoutes(http::Router& router, AdminAuth& auth, AdminContext* ctx);
void AddUserRoutes(http::Router& router, AdminAuth& auth, AdminContext* ctx);
void AddSubscriptionHealthRoute(http::Router& router, AdminAuth& auth, AdminContext* ctx);

}  // namespace stripehook::admin::internal
