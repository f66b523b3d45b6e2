#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "util/thread_annotations.h"

namespace stripehook::admin {

// Per-user sliding-window limit and the Idempotency-Key memory of POST /v1/checkout.
// Thread-safe. Time is passed in (Unix seconds) so tests drive it with a ManualClock.
class CheckoutGuard {
 public:
  CheckoutGuard(int per_minute, int64_t ttl_seconds) : per_minute_(per_minute), ttl_(ttl_seconds) {}

  // The answer remembered for (user, key), if any and not expired.
  std::optional<std::string> Remembered(const std::string& user, const std::string& key,
                                        int64_t now) EXCLUDES(mu_);
  void Remember(const std::string& user, const std::string& key, std::string answer, int64_t now)
      EXCLUDES(mu_);

  // Takes one slot of the user's window: 0 when allowed, else the seconds until one frees.
  int64_t TakeSlot(const std::string& user, int64_t now) EXCLUDES(mu_);

 private:
  struct Answer {
    std::string body;
    int64_t at = 0;
  };
  const int per_minute_;
  const int64_t ttl_;
  std::mutex mu_;
  std::map<std::string, std::deque<int64_t>> recent_ GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, Answer> answers_ GUARDED_BY(mu_);
};

}  // namespace stripehook::admin
