#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "notify/channel.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::notify {

struct DeliveryOptions {
  int batch_size = 500;  // open outbox rows read per query
  // Queries per pass: a pass reads on past rows held back at the head (a receiver down with
  // many users waiting) up to batch_size * max_pages_per_pass rows, so others still go out.
  int max_pages_per_pass = 20;
  // Retry delay after the n-th failed attempt: initial * 2^(n-1), capped at max, then jittered
  // down by up to `jitter` of itself (so retries of many rows spread out).
  int64_t initial_backoff_seconds = 5;
  int64_t max_backoff_seconds = 3600;
  double jitter = 0.2;
  // A row still undelivered when its next attempt would fall later than this after it was
  // produced becomes `dead` (and an operator alert is enqueued).
  int64_t deadline_seconds = 3 * 24 * 3600;
  std::chrono::milliseconds poll_interval{200};
  uint64_t seed = 0;  // jitter's random seed; 0: from std::random_device
};

struct DeliveryStats {
  std::atomic<int64_t> delivered{0};        // rows completed on every channel
  std::atomic<int64_t> attempts_failed{0};  // channel deliveries that failed
  std::atomic<int64_t> dead{0};
  std::atomic<int64_t> passes{0};
};

// Delivers the outbox. Each pass reads the open rows (pending or failed) in production order
// and offers each due row to every channel that wants it and has not taken it yet. Order per
// user and channel: while an earlier row of a user is not yet taken by a channel (failed and
// waiting for its retry), later rows of that user wait for that channel too; other users and
// other channels go on. A row is `delivered` when every wanting channel took it; a failure
// schedules a retry with exponential backoff and jitter; past the deadline the row is `dead`,
// which releases the user's later rows.
//
// Delivery never blocks processing: rows are committed by the pipeline before this reads them,
// and a failing channel only delays this thread. Thread-safety: RunOnce, Start and Stop from one
// owner thread; stats() from any.
class OutboxDeliverer {
 public:
  // `store` and `clock` must outlive this. `alert` (optional) enqueues an operator alert for a
  // row that went dead; errors it returns are logged.
  using AlertFunction = std::function<util::Status(const store::OutboxEntry&)>;
  OutboxDeliverer(store::Store* store, const util::Clock* clock,
                  std::vector<std::unique_ptr<Channel>> channels, DeliveryOptions options,
                  AlertFunction alert = nullptr);
  ~OutboxDeliverer();

  // One pass; returns how many rows it attempted (0: nothing due). Errors: the store's.
  util::StatusOr<int> RunOnce();
  // Runs passes on a background thread until Stop(), sleeping poll_interval when idle.
  void Start();
  void Stop();
  // Wakes the worker early (new rows were committed).
  void Notify();

  const DeliveryStats& stats() const { return stats_; }
  // The delay before the attempt after `failed_attempts` failures (>= 1), jitter included.
  int64_t RetryDelayMicros(int failed_attempts);

 private:
  struct Pass;
  void DeliverRow(const store::OutboxEntry& entry, Pass& pass);
  void Finish(const store::OutboxEntry& entry, std::vector<std::string> done, bool all_done,
              const std::string& error, Pass& pass);
  void Loop();

  store::Store* store_;
  const util::Clock* clock_;
  std::vector<std::unique_ptr<Channel>> channels_;
  DeliveryOptions options_;
  AlertFunction alert_;
  std::mt19937_64 random_;

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool wake_pending_ = false;  // guarded by wake_mu_
  std::atomic<bool> stopping_{false};
  std::thread worker_;
  DeliveryStats stats_;
};

}  // namespace stripehook::notify
