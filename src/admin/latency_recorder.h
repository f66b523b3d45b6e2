#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "util/thread_annotations.h"

namespace stripehook::admin {

// Percentiles of a latency over the most recent `capacity` observations (a ring): bounded memory,
// in-process, reset on restart. Thread-safe.
class LatencyRecorder {
 public:
  explicit LatencyRecorder(size_t capacity = 10'000) : capacity_(capacity) {}

  void Observe(int64_t micros) EXCLUDES(mu_);
  // The recent observations, sorted ascending (a copy).
  std::vector<int64_t> SortedSamples() const EXCLUDES(mu_);

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::vector<int64_t> ring_ GUARDED_BY(mu_);
  size_t next_ GUARDED_BY(mu_) = 0;
};

// The value at percentile `p` (0..100) of ascending `sorted` (nearest rank); 0 when empty.
int64_t Percentile(const std::vector<int64_t>& sorted, double p);

}  // namespace stripehook::admin
