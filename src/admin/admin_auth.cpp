#include "admin/admin_auth.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "http/auth.h"

namespace stripehook::admin {

AdminAuth::AdminAuth(AdminAuthOptions options, const util::Clock* clock)
    : key_(std::move(options.admin_key)),
      clock_(clock),
      failure_limiter_(options.failure_rate_per_second, options.failure_burst) {}

namespace {

constexpr size_t kMaxBlockedAddresses = 100'000;

http::Response Limited(double retry_after_seconds) {
  http::Response r =
      http::Response::Error(429, "rate_limited", "too many failed admin key attempts");
  int64_t seconds = std::max<int64_t>(1, std::llround(std::ceil(retry_after_seconds)));
  r.headers.emplace_back("Retry-After", std::to_string(seconds));
  return r;
}

}  // namespace

double AdminAuth::BlockedFor(const std::string& address, int64_t now_us) {
  std::lock_guard lock(mu_);
  auto it = blocked_until_us_.find(address);
  if (it == blocked_until_us_.end()) return 0;
  if (it->second <= now_us) {
    blocked_until_us_.erase(it);
    return 0;
  }
  return static_cast<double>(it->second - now_us) / 1e6;
}

void AdminAuth::Block(const std::string& address, int64_t now_us, int64_t until_us) {
  std::lock_guard lock(mu_);
  if (blocked_until_us_.size() >= kMaxBlockedAddresses) {
    // Bounded memory: forget expired blocks; if all are live, forget them all rather than grow.
    std::erase_if(blocked_until_us_, [&](const auto& kv) { return kv.second <= now_us; });
    if (blocked_until_us_.size() >= kMaxBlockedAddresses) blocked_until_us_.clear();
  }
  blocked_until_us_[address] = until_us;
}

std::optional<http::Response> AdminAuth::Check(const http::Request& request) {
  int64_t now_us = clock_->NowUnixMicros();
  if (double wait = BlockedFor(request.remote_address, now_us); wait > 0) {
    limited_.fetch_add(1);
    return Limited(wait);
  }
  if (http::RequestHasKey(request, key_, /*accept_x_admin_key=*/true)) return std::nullopt;
  failures_.fetch_add(1);
  double retry_after = 0;
  if (!failure_limiter_.Allow(request.remote_address, now_us, &retry_after)) {
    limited_.fetch_add(1);
    Block(request.remote_address, now_us, now_us + static_cast<int64_t>(retry_after * 1e6) + 1);
    return Limited(retry_after);
  }
  http::Response r = http::Response::Error(
      401, "unauthorized", "missing or wrong admin key (Authorization: Bearer or X-Admin-Key)");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

http::Handler AdminAuth::Guard(http::Handler handler) {
  return [this, handler = std::move(handler)](http::Request&& request, http::Responder respond) {
    if (std::optional<http::Response> refusal = Check(request)) {
      return respond(std::move(*refusal));
    }
    handler(std::move(request), std::move(respond));
  };
}

void AddAdminRoute(http::Router& router, AdminAuth& auth, std::string method, std::string pattern,
                   http::Handler handler) {
  router.Add(method, pattern, auth.Guard(std::move(handler)));
}

}  // namespace stripehook::admin
