#include "latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace stripehook::bench {
namespace {

constexpr int kExactBuckets = 128;  // 0..127 us recorded exactly
constexpr int kSubBucketBits = 6;   // 64 buckets per power of two above that
constexpr int kMaxMagnitude = 40;   // ~12.7 days in us: far beyond any request
constexpr int kBucketCount = kExactBuckets + (kMaxMagnitude - 7 + 1) * (1 << kSubBucketBits);

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

int LatencyHistogram::BucketOf(int64_t micros) {
  if (micros < 0) micros = 0;
  if (micros < kExactBuckets) return static_cast<int>(micros);
  int magnitude = 63 - std::countl_zero(static_cast<uint64_t>(micros));  // >= 7
  if (magnitude > kMaxMagnitude) return kBucketCount - 1;
  int shift = magnitude - kSubBucketBits;
  int sub = static_cast<int>(micros >> shift) - (1 << kSubBucketBits);  // 0..63
  return kExactBuckets + (magnitude - 7) * (1 << kSubBucketBits) + sub;
}

int64_t LatencyHistogram::BucketLow(int bucket) {
  if (bucket < kExactBuckets) return bucket;
  int rel = bucket - kExactBuckets;
  int magnitude = 7 + rel / (1 << kSubBucketBits);
  int sub = rel % (1 << kSubBucketBits);
  return static_cast<int64_t>((1 << kSubBucketBits) + sub) << (magnitude - kSubBucketBits);
}

int64_t LatencyHistogram::BucketMid(int bucket) {
  if (bucket < kExactBuckets) return bucket;
  int64_t low = BucketLow(bucket);
  int64_t width = BucketLow(bucket + 1) - low;
  return low + width / 2;
}

void LatencyHistogram::Record(int64_t micros) {
  ++counts_[BucketOf(micros)];
  ++count_;
  max_ = std::max(max_, micros);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  max_ = std::max(max_, other.max_);
}

int64_t LatencyHistogram::ValueAtQuantile(double q) const {
  if (count_ == 0) return 0;
  if (q >= 1.0) return max_;
  int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * count_)));
  int64_t seen = 0;
  for (int b = 0; b < kBucketCount; ++b) {
    seen += counts_[b];
    if (seen >= rank) return std::min(BucketMid(b), max_);
  }
  return max_;
}

}  // namespace stripehook::bench
