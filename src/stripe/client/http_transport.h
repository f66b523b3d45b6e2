#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace stripehook::stripe::internal {

// One HTTP exchange as libcurl performed it. Internal to the client.
struct HttpExchange {
  // Empty when an HTTP answer arrived; else why not (curl's message). `timed_out` tells a
  // timeout apart from a refused or broken connection.
  std::string transport_error;
  bool timed_out = false;
  long status = 0;
  std::string body;
  std::optional<double> retry_after_seconds;  // Retry-After, when it was a number of seconds
  std::optional<bool> should_retry;           // Stripe-Should-Retry
  std::string request_id;
};

struct HttpCall {
  std::string method;  // GET | POST | DELETE
  std::string url;     // full, query string included
  std::string body;    // form-encoded (POST)
  std::vector<std::string> headers;
  std::chrono::milliseconds connect_timeout;
  std::chrono::milliseconds timeout;
};

// Performs one call with a fresh curl handle. Thread-safe (curl is initialised once).
HttpExchange PerformHttp(const HttpCall& call);

// application/x-www-form-urlencoded encoding of one key or value.
std::string FormEscape(const std::string& text);

}  // namespace stripehook::stripe::internal
