#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "http/message.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "util/clock.h"
#include "util/thread_annotations.h"

namespace stripehook::admin {

struct AdminAuthOptions {
  std::string admin_key;  // empty = every admin request is refused (401)
  // Failed attempts allowed per client address: a bucket of `failure_burst` refilled at
  // `failure_rate_per_second`. Successful requests take no token.
  double failure_burst = 10;
  double failure_rate_per_second = 0.1;
};

// Guards the admin API (DESIGN.md §4). A request passes when it carries the admin key as
// `Authorization: Bearer <key>` or `X-Admin-Key: <key>` (constant-time comparison, http/auth.h).
// Otherwise it is answered 401 `unauthorized` and costs its client address one failure token;
// an address without tokens is answered 429 `rate_limited` with `Retry-After` until it has one
// again, before its key is even looked at, so a limited guesser learns nothing more.
//
// Thread-safe (the limiter is); the clock must outlive this object. Failure counts are exposed
// for metrics and alerts.
class AdminAuth {
 public:
  AdminAuth(AdminAuthOptions options, const util::Clock* clock);
  AdminAuth(const AdminAuth&) = delete;
  AdminAuth& operator=(const AdminAuth&) = delete;

  // nullopt when the request may go on; otherwise the 401 or 429 response to send.
  std::optional<http::Response> Check(const http::Request& request);

  // Wraps `handler` so it runs only for authorised requests. `this` must outlive the handler.
  http::Handler Guard(http::Handler handler);

  int64_t failures() const { return failures_.load(); }
  int64_t limited() const { return limited_.load(); }

 private:
  // Seconds to wait when `address` is blocked at `now_us`, else 0.
  double BlockedFor(const std::string& address, int64_t now_us) EXCLUDES(mu_);
  void Block(const std::string& address, int64_t now_us, int64_t until_us) EXCLUDES(mu_);

  const std::string key_;
  const util::Clock* clock_;
  http::RateLimiter failure_limiter_;
  std::mutex mu_;
  // Addresses out of failure tokens, until when: checked before the key so that a limited
  // guesser cannot tell a right key from a wrong one.
  std::unordered_map<std::string, int64_t> blocked_until_us_ GUARDED_BY(mu_);
  std::atomic<int64_t> failures_{0};
  std::atomic<int64_t> limited_{0};
};

// Registers an admin route behind `auth` (which must outlive the router). The one way other
// areas add admin endpoints (reconcile, outbox, ui): every admin route gets the same checks.
void AddAdminRoute(http::Router& router, AdminAuth& auth, std::string method, std::string pattern,
                   http::Handler handler);

}  // namespace stripehook::admin
