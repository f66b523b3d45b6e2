#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::stripe {

// Who is asking Stripe. When several callers wait for the budget, a token goes to the most
// urgent waiter: live work (a user is waiting on checkout, plan change, cancel) ahead of repairs
// (reconcile, fix-user) ahead of backfill.
enum class Priority { kLive = 0, kRepair = 1, kBackfill = 2 };
inline constexpr int kPriorityCount = 3;

// A token bucket shared by every Stripe API caller of the process: at most `burst` requests at
// once, refilled at `requests_per_second`. So in any interval of length T at most
// burst + requests_per_second * T requests start. Stripe's own limit is 100/s in live mode and
// 25/s in test mode; the default stays under both.
//
// Thread-safe. Time is the monotonic clock: this paces real requests, so a ManualClock has no
// meaning here.
class RequestBudget {
 public:
  // kInvalidArgument unless requests_per_second > 0 and burst >= 1.
  static util::StatusOr<std::shared_ptr<RequestBudget>> Create(double requests_per_second = 25,
                                                               int burst = 1);

  // Blocks until a token is free and no more urgent caller is waiting, then takes it.
  // kDeadlineExceeded if that has not happened within `max_wait` (nothing taken).
  util::Status Acquire(Priority priority,
                       std::chrono::milliseconds max_wait = std::chrono::minutes(10));

  // How many callers of `priority` are blocked in Acquire now (tests, metrics).
  int Waiting(Priority priority);

  double requests_per_second() const { return rate_; }
  int burst() const { return burst_; }

 private:
  RequestBudget(double requests_per_second, int burst);
  using SteadyTime = std::chrono::steady_clock::time_point;
  void RefillLocked(SteadyTime now) REQUIRES(mu_);
  bool MoreUrgentWaitingLocked(Priority priority) const REQUIRES(mu_);

  const double rate_;
  const int burst_;
  std::mutex mu_;
  std::condition_variable cv_;
  double tokens_ GUARDED_BY(mu_);
  SteadyTime last_refill_ GUARDED_BY(mu_);
  std::array<int, kPriorityCount> waiting_ GUARDED_BY(mu_){};
};

}  // namespace stripehook::stripe
