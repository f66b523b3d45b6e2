#include "stripe/client/api_error.h"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cmath>
#include <string>

namespace stripehook::stripe::internal {
namespace {

util::StatusCode CodeForHttpStatus(long status) {
  switch (status) {
    case 400:
    case 402:
      return util::StatusCode::kInvalidArgument;
    case 401:
      return util::StatusCode::kUnauthenticated;
    case 403:
      return util::StatusCode::kPermissionDenied;
    case 404:
      return util::StatusCode::kNotFound;
    case 409:
      return util::StatusCode::kFailedPrecondition;
    case 429:
      return util::StatusCode::kResourceExhausted;
    default:
      return util::StatusCode::kUnavailable;
  }
}

std::string StringField(const boost::json::object& obj, std::string_view key) {
  const boost::json::value* v = obj.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// "message (type/code)" from Stripe's {"error":{...}} body; empty when the body has none.
std::string StripeErrorText(const std::string& body) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  if (ec || !parsed.is_object()) return {};
  const boost::json::value* error = parsed.as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return {};
  const auto& e = error->as_object();
  std::string text = StringField(e, "message");
  std::string type = StringField(e, "type");
  std::string code = StringField(e, "code");
  if (!type.empty() || !code.empty()) {
    text += " (" + type + (code.empty() ? "" : "/" + code) + ")";
  }
  return text;
}

}  // namespace

util::Status ErrorFromExchange(const HttpExchange& exchange, std::string_view what) {
  std::string prefix = "stripe " + std::string(what) + ": ";
  if (!exchange.transport_error.empty()) {
    auto code =
        exchange.timed_out ? util::StatusCode::kDeadlineExceeded : util::StatusCode::kUnavailable;
    return util::Status(code, prefix + exchange.transport_error);
  }
  std::string text = StripeErrorText(exchange.body);
  if (text.empty()) text = "unexpected answer";
  text += " [HTTP " + std::to_string(exchange.status) + "]";
  if (!exchange.request_id.empty()) text += " [" + exchange.request_id + "]";
  return util::Status(CodeForHttpStatus(exchange.status), prefix + text);
}

bool IsRetryable(const HttpExchange& exchange) {
  if (exchange.should_retry.has_value() && !*exchange.should_retry) return false;
  if (!exchange.transport_error.empty()) return true;
  return exchange.status == 429 || exchange.status >= 500;
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry,
                                       std::optional<double> retry_after_seconds, double unit) {
  double base =
      static_cast<double>(policy.initial_backoff.count()) * std::pow(2.0, std::max(0, retry - 1));
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  // Jitter spreads the retries of many callers so they do not return in lockstep.
  double delay = base * (1.0 - policy.jitter * unit);
  if (retry_after_seconds.has_value()) {
    double asked = std::min(*retry_after_seconds * 1000.0,
                            static_cast<double>(policy.max_retry_after.count()));
    delay = std::max(delay, asked);
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(delay)));
}

}  // namespace stripehook::stripe::internal
