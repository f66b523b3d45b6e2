#include "admin/latency_recorder.h"

#include <algorithm>
#include <cmath>

namespace stripehook::admin {

void LatencyRecorder::Observe(int64_t micros) {
  std::lock_guard lock(mu_);
  if (ring_.size() < capacity_) {
    ring_.push_back(micros);
    return;
  }
  ring_[next_] = micros;
  next_ = (next_ + 1) % capacity_;
}

std::vector<int64_t> LatencyRecorder::SortedSamples() const {
  std::vector<int64_t> samples;
  {
    std::lock_guard lock(mu_);
    samples = ring_;
  }
  std::sort(samples.begin(), samples.end());
  return samples;
}

int64_t Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace stripehook::admin
