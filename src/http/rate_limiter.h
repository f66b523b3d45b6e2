#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace stripehook::http {

// Token-bucket rate limiting keyed by a string (client address, user id, API key id).
// Each key has a bucket of `burst` tokens refilled at `rate_per_second`; a request takes one.
//
// Pure with respect to time: the caller passes `now_us` (any monotonic-enough microsecond clock;
// time that goes backwards counts as no time). Thread-safe: keys are spread over sharded mutexes.
// Memory is bounded by `max_keys`: when a shard is full, buckets that have refilled completely are
// dropped first (forgetting them changes no answer), then the least recently used one.
class RateLimiter {
 public:
  // rate_per_second > 0, burst >= 1 (checked).
  RateLimiter(double rate_per_second, double burst, size_t max_keys = 100'000);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes one token for `key`. Returns true if allowed. When refused and `retry_after_seconds`
  // is not null, stores how long until a token is available (for a `Retry-After` header).
  bool Allow(std::string_view key, int64_t now_us, double* retry_after_seconds);

  // Keys currently tracked (for tests and metrics).
  size_t key_count() const;

 private:
  struct Shard;
  static constexpr size_t kShards = 16;
  Shard& ShardFor(std::string_view key);

  const double rate_per_us_;
  const double burst_;
  const size_t max_keys_per_shard_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace stripehook::http
