#pragma once

#include <cstdint>
#include <vector>

namespace stripehook::bench {

// Latency recorder with log-linear buckets, in the spirit of HdrHistogram: values below 128 us
// are exact, above that each power of two is split into 64 buckets, so any recorded value is
// reported within 1/64 (~1.6 %) of itself. Values are microseconds, capped at about 2^40 us.
// Fixed memory (~19 KB), O(1) Record. Not thread-safe: one per load thread, then Merge.
class LatencyHistogram {
 public:
  LatencyHistogram();

  void Record(int64_t micros);
  void Merge(const LatencyHistogram& other);

  int64_t count() const { return count_; }
  int64_t max() const { return max_; }
  // The value at quantile q (0..1), in microseconds: the midpoint of the bucket holding the
  // ceil(q * count)-th smallest value (the exact max for q == 1). 0 when empty.
  int64_t ValueAtQuantile(double q) const;

 private:
  static int BucketOf(int64_t micros);
  static int64_t BucketLow(int bucket);
  static int64_t BucketMid(int bucket);

  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t max_ = 0;
};

}  // namespace stripehook::bench
