#include "store/commit_metrics.h"

#include "util/metrics.h"

namespace stripehook::store {

void ObserveCommit(bool inserts, size_t writes, std::chrono::steady_clock::duration took) {
  static util::HistogramFamily* const sizes = util::DefaultMetrics().Histogram(
      "stripehook_store_commit_batch_size", "Writes per group-commit transaction.",
      {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}, {"kind"});
  static util::HistogramFamily* const latency = util::DefaultMetrics().Histogram(
      "stripehook_store_commit_duration_seconds",
      "Group-commit transaction time, first statement to synced commit.", util::LatencyBuckets(),
      {"kind"});
  static util::HistogramFamily::Series* const series[2][2] = {
      {sizes->Resolve({"work"}), latency->Resolve({"work"})},
      {sizes->Resolve({"insert"}), latency->Resolve({"insert"})}};
  sizes->Observe(series[inserts][0], static_cast<double>(writes));
  latency->Observe(series[inserts][1], std::chrono::duration<double>(took).count());
}

}  // namespace stripehook::store
