#include "stripe/client/stripe_client.h"

#include <boost/json/parse.hpp>
#include <cstdio>
#include <random>
#include <thread>

#include "stripe/client/api_error.h"
#include "stripe/client/http_transport.h"
#include "util/log.h"

namespace stripehook::stripe {

struct StripeClient::Request {
  std::string method;
  std::string path;
  const Params* params;
  std::string idempotency_key;
};

namespace {

std::mt19937_64& ThreadRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

std::string RandomIdempotencyKey() {
  std::uniform_int_distribution<uint64_t> dist;
  char buf[40];
  std::snprintf(buf, sizeof(buf), "sh-%016llx%016llx",
                static_cast<unsigned long long>(dist(ThreadRandom())),
                static_cast<unsigned long long>(dist(ThreadRandom())));
  return buf;
}

std::string EncodeParams(const Params& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out += '&';
    out += internal::FormEscape(key) + '=' + internal::FormEscape(value);
  }
  return out;
}

util::Status ValidateOptions(const ClientOptions& o) {
  if (o.secret_key.empty()) return util::InvalidArgumentError("stripe client: no secret key");
  if (!o.api_base.starts_with("http://") && !o.api_base.starts_with("https://")) {
    return util::InvalidArgumentError("stripe client: api_base must start with http(s)://");
  }
  const RetryPolicy& r = o.retry;
  if (r.max_attempts < 1 || r.jitter < 0 || r.jitter > 1 || r.initial_backoff.count() < 0 ||
      r.max_backoff < r.initial_backoff) {
    return util::InvalidArgumentError("stripe client: retry policy out of range");
  }
  if (o.connect_timeout.count() <= 0 || o.request_timeout.count() <= 0) {
    return util::InvalidArgumentError("stripe client: timeouts must be > 0");
  }
  return util::OkStatus();
}

internal::HttpCall BuildCall(const ClientOptions& options, const std::string& method,
                             const std::string& path, const Params& params,
                             const std::string& idempotency_key) {
  internal::HttpCall call;
  call.method = method;
  std::string encoded = EncodeParams(params);
  call.url = options.api_base + path;
  if (method == "POST") {
    call.body = std::move(encoded);
    call.headers.push_back("Content-Type: application/x-www-form-urlencoded");
    call.headers.push_back("Idempotency-Key: " + idempotency_key);
  } else if (!encoded.empty()) {
    call.url += '?' + encoded;
  }
  call.headers.push_back("Authorization: Bearer " + options.secret_key);
  if (!options.api_version.empty()) {
    call.headers.push_back("Stripe-Version: " + options.api_version);
  }
  call.headers.push_back("Expect:");  // no 100-continue round trip
  call.connect_timeout = options.connect_timeout;
  call.timeout = options.request_timeout;
  return call;
}

}  // namespace

util::StatusOr<std::unique_ptr<StripeClient>> StripeClient::Create(
    ClientOptions options, std::shared_ptr<RequestBudget> budget) {
  SH_RETURN_IF_ERROR(ValidateOptions(options));
  if (budget == nullptr) return util::InvalidArgumentError("stripe client: no request budget");
  while (options.api_base.ends_with('/')) options.api_base.pop_back();
  if (!options.sleep) {
    options.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  }
  return std::unique_ptr<StripeClient>(new StripeClient(std::move(options), std::move(budget)));
}

StripeClient::StripeClient(ClientOptions options, std::shared_ptr<RequestBudget> budget)
    : options_(std::move(options)), budget_(std::move(budget)) {}

StripeClient::~StripeClient() = default;

util::StatusOr<ApiResponse> StripeClient::Get(std::string_view path, const Params& params,
                                              Priority priority) {
  return Send(Request{"GET", std::string(path), &params, ""}, priority);
}

util::StatusOr<ApiResponse> StripeClient::Post(std::string_view path, const Params& params,
                                               Priority priority, std::string idempotency_key) {
  if (idempotency_key.empty()) idempotency_key = RandomIdempotencyKey();
  return Send(Request{"POST", std::string(path), &params, std::move(idempotency_key)}, priority);
}

util::StatusOr<ApiResponse> StripeClient::Delete(std::string_view path, const Params& params,
                                                 Priority priority) {
  return Send(Request{"DELETE", std::string(path), &params, ""}, priority);
}

util::StatusOr<ApiResponse> StripeClient::Send(const Request& request, Priority priority) {
  internal::HttpCall call =
      BuildCall(options_, request.method, request.path, *request.params, request.idempotency_key);
  const std::string what = request.method + " " + request.path;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int attempt = 1;; ++attempt) {
    SH_RETURN_IF_ERROR(budget_->Acquire(priority));
    internal::HttpExchange ex = internal::PerformHttp(call);
    if (ex.transport_error.empty() && ex.status >= 200 && ex.status < 300) {
      boost::system::error_code ec;
      boost::json::value body = boost::json::parse(ex.body, ec);
      if (ec || !body.is_object()) {
        return util::UnavailableError("stripe " + what + ": answer is not a JSON object");
      }
      return ApiResponse{static_cast<int>(ex.status), std::move(body.as_object()), ex.request_id};
    }
    util::Status error = internal::ErrorFromExchange(ex, what);
    if (attempt >= options_.retry.max_attempts || !internal::IsRetryable(ex)) return error;
    auto delay = internal::BackoffDelay(options_.retry, attempt, ex.retry_after_seconds,
                                        unit(ThreadRandom()));
    util::LogWarn("stripe request retried")
        .Str("call", what)
        .Int("attempt", attempt)
        .Int("delay_ms", delay.count())
        .Str("error", error.message());
    options_.sleep(delay);
  }
}

}  // namespace stripehook::stripe
