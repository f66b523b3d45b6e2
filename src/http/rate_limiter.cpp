#include "http/rate_limiter.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <unordered_map>

#include "util/check.h"
#include "util/thread_annotations.h"

namespace stripehook::http {
namespace {

struct Bucket {
  double tokens;
  int64_t last_us;
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace

struct RateLimiter::Shard {
  mutable std::mutex mu;
  std::unordered_map<std::string, Bucket, StringHash, std::equal_to<>> buckets GUARDED_BY(mu);
};

RateLimiter::RateLimiter(double rate_per_second, double burst, size_t max_keys)
    : rate_per_us_(rate_per_second / 1e6),
      burst_(burst),
      max_keys_per_shard_(std::max<size_t>(1, max_keys / kShards)),
      shards_(std::make_unique<Shard[]>(kShards)) {
  SH_CHECK(rate_per_second > 0);
  SH_CHECK(burst >= 1);
}

RateLimiter::~RateLimiter() = default;

RateLimiter::Shard& RateLimiter::ShardFor(std::string_view key) {
  return shards_[std::hash<std::string_view>()(key) % kShards];
}

bool RateLimiter::Allow(std::string_view key, int64_t now_us, double* retry_after_seconds) {
  Shard& shard = ShardFor(key);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_keys_per_shard_) {
      // A bucket that has refilled to `burst` is indistinguishable from a new key: drop those.
      std::erase_if(shard.buckets, [&](const auto& entry) {
        const Bucket& b = entry.second;
        return b.tokens +
                   static_cast<double>(std::max<int64_t>(0, now_us - b.last_us)) * rate_per_us_ >=
               burst_;
      });
    }
    if (shard.buckets.size() >= max_keys_per_shard_) {
      auto oldest = std::min_element(
          shard.buckets.begin(), shard.buckets.end(),
          [](const auto& a, const auto& b) { return a.second.last_us < b.second.last_us; });
      shard.buckets.erase(oldest);
    }
    it = shard.buckets.emplace(std::string(key), Bucket{burst_, now_us}).first;
  }
  Bucket& bucket = it->second;
  int64_t elapsed = std::max<int64_t>(0, now_us - bucket.last_us);
  bucket.tokens = std::min(burst_, bucket.tokens + static_cast<double>(elapsed) * rate_per_us_);
  bucket.last_us = std::max(bucket.last_us, now_us);
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return true;
  }
  if (retry_after_seconds != nullptr) {
    *retry_after_seconds = (1.0 - bucket.tokens) / rate_per_us_ / 1e6;
  }
  return false;
}

size_t RateLimiter::key_count() const {
  size_t count = 0;
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    count += shards_[i].buckets.size();
  }
  return count;
}

}  // namespace stripehook::http
