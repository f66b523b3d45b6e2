#include "stripe/client/request_budget.h"

#include <algorithm>

namespace stripehook::stripe {

util::StatusOr<std::shared_ptr<RequestBudget>> RequestBudget::Create(double requests_per_second,
                                                                     int burst) {
  if (!(requests_per_second > 0) || burst < 1) {
    return util::InvalidArgumentError(
        "request budget: requests_per_second must be > 0 and burst >= 1");
  }
  return std::shared_ptr<RequestBudget>(new RequestBudget(requests_per_second, burst));
}

RequestBudget::RequestBudget(double requests_per_second, int burst)
    : rate_(requests_per_second),
      burst_(burst),
      tokens_(burst),
      last_refill_(std::chrono::steady_clock::now()) {}

void RequestBudget::RefillLocked(SteadyTime now) {
  std::chrono::duration<double> elapsed = now - last_refill_;
  if (elapsed.count() <= 0) return;
  tokens_ = std::min<double>(burst_, tokens_ + elapsed.count() * rate_);
  last_refill_ = now;
}

bool RequestBudget::MoreUrgentWaitingLocked(Priority priority) const {
  for (int p = 0; p < static_cast<int>(priority); ++p) {
    if (waiting_[p] > 0) return true;
  }
  return false;
}

util::Status RequestBudget::Acquire(Priority priority, std::chrono::milliseconds max_wait) {
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  std::unique_lock lock(mu_);
  int& waiting = waiting_[static_cast<int>(priority)];
  ++waiting;
  while (true) {
    auto now = std::chrono::steady_clock::now();
    RefillLocked(now);
    // A token is taken only by the most urgent class present; a less urgent waiter that sees a
    // token but also a more urgent waiter leaves it and goes back to sleep.
    if (tokens_ >= 1.0 && !MoreUrgentWaitingLocked(priority)) {
      tokens_ -= 1.0;
      --waiting;
      cv_.notify_all();
      return util::OkStatus();
    }
    if (now >= deadline) {
      --waiting;
      cv_.notify_all();
      return util::DeadlineExceededError("stripe request budget: no token within the wait limit");
    }
    // Sleep until the next token is due (or a waiter leaves); wake-ups recheck everything.
    double missing = std::max(0.0, 1.0 - tokens_);
    auto until_token = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(missing / rate_));
    cv_.wait_until(lock, std::min(deadline, now + until_token + std::chrono::microseconds(100)));
  }
}

int RequestBudget::Waiting(Priority priority) {
  std::lock_guard lock(mu_);
  return waiting_[static_cast<int>(priority)];
}

}  // namespace stripehook::stripe
