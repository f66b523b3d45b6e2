#pragma once

#include <chrono>
#include <random>

#include "stripe/client/http_transport.h"
#include "stripe/client/stripe_client.h"
#include "util/status.h"

namespace stripehook::stripe::internal {

// The Status for a failed exchange: Stripe's error.message (and type/code) with the HTTP
// status, coded as stripe_client.h lists. `what` names the call ("GET /v1/events").
util::Status ErrorFromExchange(const HttpExchange& exchange, std::string_view what);

// Whether another attempt may succeed: 429, 5xx, timeouts and connection failures, unless Stripe
// said Stripe-Should-Retry: false.
bool IsRetryable(const HttpExchange& exchange);

// The wait before retry `retry` (1 = the first retry) under `policy`, Retry-After included.
// `unit` is a uniform draw from [0, 1) (passed in so tests can pin it).
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry,
                                       std::optional<double> retry_after_seconds, double unit);

}  // namespace stripehook::stripe::internal
