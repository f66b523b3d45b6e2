#include <algorithm>
#include <charconv>
#include <utility>

#include "admin/admin_internal.h"

namespace stripehook::admin::internal {

void AddBlockingRoute(http::Router& router, AdminAuth& auth, AdminContext* ctx, std::string method,
                      std::string pattern, BlockingHandler handler) {
  AddAdminRoute(
      router, auth, std::move(method), std::move(pattern),
      [ctx, handler = std::move(handler)](http::Request&& request, http::Responder respond) {
        // The work queue's std::function must be copyable: share the request.
        auto shared = std::make_shared<http::Request>(std::move(request));
        ctx->work.Post([ctx, handler, shared, respond = std::move(respond)] {
          respond(handler(*ctx, *shared));
        });
      });
}

http::Response ErrorFor(const util::Status& status) {
  switch (status.code()) {
    case util::StatusCode::kInvalidArgument:
      return http::Response::Error(400, "invalid_request", status.message());
    case util::StatusCode::kNotFound:
      return http::Response::Error(404, "not_found", status.message());
    case util::StatusCode::kFailedPrecondition:
      return http::Response::Error(409, "conflict", status.message());
    case util::StatusCode::kUnavailable:
    case util::StatusCode::kDeadlineExceeded:
      return http::Response::Error(503, "unavailable", status.message());
    case util::StatusCode::kUnimplemented:
      return http::Response::Error(501, "not_implemented", status.message());
    default:
      return http::Response::Error(500, "internal", status.message());
  }
}

http::Response JsonOk(const boost::json::value& value, int status) {
  return http::Response::Json(status, boost::json::serialize(value));
}

boost::json::object ListObject(std::string_view url, boost::json::array data, bool has_more) {
  return boost::json::object{
      {"object", "list"}, {"url", url}, {"has_more", has_more}, {"data", std::move(data)}};
}

util::StatusOr<int64_t> ParseDuration(std::string_view text, std::string_view param) {
  auto bad = [&] {
    return util::InvalidArgumentError(std::string(param) +
                                      ": expected a duration such as 90s, 15m, 24h or 30d, got '" +
                                      std::string(text) + "'");
  };
  if (text.size() < 2) return bad();
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return bad();
  }
  int64_t count = 0;
  std::string_view digits = text.substr(0, text.size() - 1);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (ec != std::errc() || end != digits.data() + digits.size() || count < 1) return bad();
  if (count > 400 * 86400 / unit) return bad();
  return count * unit;
}

util::StatusOr<int> ParseLimit(const http::Request& request, int fallback) {
  std::optional<std::string> text = request.QueryParam("limit");
  if (!text) return fallback;
  int limit = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (ec != std::errc() || end != text->data() + text->size() || limit < 1 || limit > 1000) {
    return util::InvalidArgumentError("limit: expected an integer between 1 and 1000");
  }
  return limit;
}

boost::json::value JsonOrString(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec) return boost::json::string(text);
  return v;
}

double Micros2Seconds(int64_t micros) { return static_cast<double>(micros) / 1e6; }

namespace {

boost::json::value OptionalMicrosAsSeconds(const std::optional<int64_t>& micros) {
  if (!micros) return nullptr;
  return *micros / 1'000'000;
}

template <typename T>
boost::json::value OptionalValue(const std::optional<T>& v) {
  if (!v) return nullptr;
  return boost::json::value(*v);
}

}  // namespace

boost::json::object EventJson(const store::StoredEvent& stored, bool with_payload) {
  const store::NewEvent& e = stored.event;
  boost::json::object o{
      {"id", e.id},
      {"object", "event"},
      {"type", e.type},
      {"created", e.created},
      {"livemode", e.livemode},
      {"api_version", OptionalValue(e.api_version)},
      {"account", OptionalValue(e.account)},
      {"object_id", e.object_id},
      {"object_type", e.object_type},
      {"source", e.source},
      {"endpoint", e.endpoint},
      {"received_at", e.received_at_us / 1'000'000},
      {"received_at_us", e.received_at_us},
      {"status", store::EventStatusName(stored.status)},
      {"attempts", stored.attempts},
      {"next_attempt_at", OptionalMicrosAsSeconds(stored.next_attempt_at_us)},
      {"last_error", OptionalValue(stored.last_error)},
      {"processed_at", OptionalMicrosAsSeconds(stored.processed_at_us)},
  };
  if (with_payload) o["payload"] = JsonOrString(e.payload);
  return o;
}

std::vector<std::string> ObjectsOfCustomer(const billing::State& state, std::string_view customer) {
  std::vector<std::string> ids{std::string(customer)};
  for (billing::Relation r :
       {billing::Relation::kCustomerSubscriptions, billing::Relation::kCustomerInvoices,
        billing::Relation::kCustomerCharges, billing::Relation::kCustomerPaymentIntents,
        billing::Relation::kCustomerSessions}) {
    const std::set<std::string>& related = state.Related(r, customer);
    ids.insert(ids.end(), related.begin(), related.end());
  }
  return ids;
}

}  // namespace stripehook::admin::internal
