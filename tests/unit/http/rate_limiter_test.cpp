#include "http/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace stripehook::http {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(RateLimiterTest, BurstThenRefuseWithRetryAfter) {
  RateLimiter limiter(/*rate_per_second=*/2, /*burst=*/3);
  int64_t now = 1000 * kSecond;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("1.2.3.4", now, nullptr)) << i;
  double retry_after = -1;
  EXPECT_FALSE(limiter.Allow("1.2.3.4", now, &retry_after));
  EXPECT_DOUBLE_EQ(retry_after, 0.5);  // one token at 2/s
}

TEST(RateLimiterTest, RefillsWithTimeUpToBurst) {
  RateLimiter limiter(1, 2);
  int64_t now = 0;
  EXPECT_TRUE(limiter.Allow("k", now, nullptr));
  EXPECT_TRUE(limiter.Allow("k", now, nullptr));
  double retry_after = 0;
  EXPECT_FALSE(limiter.Allow("k", now + kSecond / 2, &retry_after));
  EXPECT_NEAR(retry_after, 0.5, 1e-9);
  EXPECT_TRUE(limiter.Allow("k", now + kSecond, nullptr));
  EXPECT_FALSE(limiter.Allow("k", now + kSecond, nullptr));
  // A long pause refills to the burst, not beyond it.
  now += 100 * kSecond;
  EXPECT_TRUE(limiter.Allow("k", now, nullptr));
  EXPECT_TRUE(limiter.Allow("k", now, nullptr));
  EXPECT_FALSE(limiter.Allow("k", now, nullptr));
}

TEST(RateLimiterTest, KeysAreIndependent) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Allow("a", 0, nullptr));
  EXPECT_FALSE(limiter.Allow("a", 0, nullptr));
  EXPECT_TRUE(limiter.Allow("b", 0, nullptr));
  EXPECT_EQ(limiter.key_count(), 2u);
}

TEST(RateLimiterTest, TimeGoingBackwardsGivesNoTokens) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Allow("a", 10 * kSecond, nullptr));
  EXPECT_FALSE(limiter.Allow("a", 5 * kSecond, nullptr));
  EXPECT_FALSE(limiter.Allow("a", 10 * kSecond, nullptr));
  EXPECT_TRUE(limiter.Allow("a", 11 * kSecond, nullptr));
}

TEST(RateLimiterTest, MemoryIsBoundedAndRefilledKeysAreForgottenFirst) {
  const size_t max_keys = 64;
  RateLimiter limiter(1, 1, max_keys);
  for (int i = 0; i < 10'000; ++i) {
    limiter.Allow("key-" + std::to_string(i), /*now_us=*/0, nullptr);
    ASSERT_LE(limiter.key_count(), max_keys);
  }
  // Flooding new keys must not reset a busy key: eviction takes the least recently used bucket.
  RateLimiter guarded(1, 1, max_keys);
  EXPECT_TRUE(guarded.Allow("victim", 0, nullptr));
  for (int i = 0; i < 1000; ++i) {
    guarded.Allow("flood-" + std::to_string(i), 0, nullptr);
    ASSERT_TRUE(guarded.Allow("victim", i * kSecond / 1000, nullptr) == false);
  }
}

}  // namespace
}  // namespace stripehook::http
