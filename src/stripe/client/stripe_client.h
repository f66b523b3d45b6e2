#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stripe/client/request_budget.h"
#include "util/status.h"

namespace stripehook::stripe {

// Form parameters in Stripe's bracket syntax, sent in this order and URL-encoded by the client:
// {"types[]", "invoice.paid"}, {"items[0][price]", "price_123"}, {"created[gte]", "1700000000"}.
// For GET and DELETE they go in the query string, for POST in an
// application/x-www-form-urlencoded body.
using Params = std::vector<std::pair<std::string, std::string>>;

// When to try a request again. A request is retried on HTTP 429, on 5xx, and on a connection
// failure or timeout; never on another 4xx. The wait before retry n (n >= 1) is
// min(max_backoff, initial_backoff * 2^(n-1)), scaled by a random factor in [1 - jitter, 1], and
// raised to the server's Retry-After (seconds) when it sent one, capped at max_retry_after.
struct RetryPolicy {
  int max_attempts = 4;  // total attempts, first included; 1 = no retry
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
  double jitter = 0.5;  // 0..1
  std::chrono::milliseconds max_retry_after{60000};
};

struct ClientOptions {
  // Scheme, host and optional port, no trailing slash. Tests point it at tests/fake_stripe.
  std::string api_base = "https://api.stripe.com";
  // Sent as Stripe-Version on every request, so payloads have the shape our parsers expect.
  // Empty: the account's default version (not recommended).
  std::string api_version = "2026-07-29.dahlia";
  std::string secret_key;  // sk_... / rk_...; required. Never logged.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{30000};  // whole request, per attempt
  RetryPolicy retry;
  // Waits between retries. Default: std::this_thread::sleep_for. Tests substitute one that
  // records the waits instead of sleeping (the budget still paces in real time).
  std::function<void(std::chrono::milliseconds)> sleep;
};

// A Stripe API answer that was a 2xx with a JSON object body.
struct ApiResponse {
  int http_status = 0;
  boost::json::object body;
  std::string request_id;  // Stripe's Request-Id header, for support tickets and logs
};

// Receives one element of a list page. Return false to stop listing (no further pages fetched).
using ListVisitor = std::function<bool(const boost::json::object& item)>;

// A synchronous client of the Stripe REST API over libcurl.
//
// Thread-safety: all methods may be called from any number of threads at once; each call uses
// its own connection handle. Every request, retries included, first takes a token from the
// RequestBudget given at construction: callers that share a budget share its rate, and a
// waiting kLive request goes ahead of waiting kRepair and kBackfill ones. The service makes ONE
// client with ONE budget per process (app::MakeStripeClient: 25 requests/s, burst 5) and shares
// that client with the app commands, backfill and reconciliation.
//
// Errors (after retries are exhausted where retrying applies). The message carries Stripe's
// error.message, and error.type / error.code when present, plus the HTTP status:
//   kInvalidArgument     400 (invalid_request_error), 402 card_error
//   kUnauthenticated     401 (bad or missing key)
//   kPermissionDenied    403
//   kNotFound            404 (resource_missing)
//   kFailedPrecondition  409 (idempotency key reused with other parameters, lock timeout)
//   kResourceExhausted   429 still answered on the last attempt
//   kUnavailable         5xx on the last attempt, connection failure, body not a JSON object
//   kDeadlineExceeded    the last attempt timed out (request_timeout)
// Nothing secret (key, Authorization header) ever appears in a Status or a log line.
class StripeClient {
 public:
  // kInvalidArgument when secret_key or api_base is empty, api_base is not http(s)://..., or the
  // retry policy is out of range. `budget` must not be null; it is shared, not owned alone.
  static util::StatusOr<std::unique_ptr<StripeClient>> Create(
      ClientOptions options, std::shared_ptr<RequestBudget> budget);
  ~StripeClient();
  StripeClient(const StripeClient&) = delete;
  StripeClient& operator=(const StripeClient&) = delete;

  // GET api_base + path (e.g. "/v1/subscriptions/sub_123").
  util::StatusOr<ApiResponse> Get(std::string_view path, const Params& params, Priority priority);

  // POST with Idempotency-Key: `idempotency_key` when non-empty, else a fresh random key
  // ("sh-" + 32 hex digits). The same key is sent on every retry of this call, so a POST that
  // reached Stripe but whose answer was lost is not performed twice.
  util::StatusOr<ApiResponse> Post(std::string_view path, const Params& params, Priority priority,
                                   std::string idempotency_key = "");

  // DELETE (e.g. cancelling a subscription at once). Stripe's DELETEs are idempotent.
  util::StatusOr<ApiResponse> Delete(std::string_view path, const Params& params,
                                     Priority priority);

  // Walks a Stripe list endpoint (e.g. "/v1/events", "/v1/subscriptions") page by page in
  // Stripe's order, following `has_more` with `starting_after` = the last id of the page, and
  // calls `visit` for every element of `data`. `params` must not contain limit or
  // starting_after; `page_size` is 1..100. Returns the first error; elements visited before it
  // stay visited. Stops early, OK, when `visit` returns false.
  util::Status List(std::string_view path, const Params& params, Priority priority,
                    const ListVisitor& visit, int page_size = 100);

  // Every element of a list, in memory. For small lists (a customer's subscriptions).
  util::StatusOr<std::vector<boost::json::object>> ListAll(std::string_view path,
                                                           const Params& params, Priority priority);

  const ClientOptions& options() const { return options_; }

 private:
  StripeClient(ClientOptions options, std::shared_ptr<RequestBudget> budget);

  struct Request;
  util::StatusOr<ApiResponse> Send(const Request& request, Priority priority);

  ClientOptions options_;
  std::shared_ptr<RequestBudget> budget_;
};

// The options for `config`-like inputs: secret key, api_base, api_version; everything else at
// its default. A small helper so the service and the CLI build clients the same way.
ClientOptions MakeClientOptions(std::string secret_key, std::string api_base,
                                std::string api_version);

}  // namespace stripehook::stripe
