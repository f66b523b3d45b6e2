#include "app/leadership.h"

#include <utility>

#include "util/log.h"
#include "util/thread_name.h"

namespace stripehook::app {

Leadership::Leadership(std::string name, TryHold try_hold, OnChange on_change,
                       util::MetricsRegistry& metrics, std::chrono::milliseconds interval)
    : name_(std::move(name)),
      try_hold_(std::move(try_hold)),
      on_change_(std::move(on_change)),
      gauge_(metrics.Gauge("stripehook_leader",
                           "1 while this instance runs the job (holds its cluster-wide lock)",
                           {"job"})),
      interval_(interval) {
  if (gauge_ != nullptr) gauge_->Set(0, {name_});
}

Leadership::~Leadership() { Stop(); }

void Leadership::Start() {
  CheckNow();
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_.joinable()) return;
  stopping_ = false;
  loop_ = util::StartNamedThread("leadership", [this] { Loop(); });
}

void Leadership::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void Leadership::CheckNow() {
  util::StatusOr<bool> answer = try_hold_();
  const bool now_held = answer.ok() && *answer;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (now_held == held_) return;
    held_ = now_held;
  }
  if (now_held) {
    util::LogInfo("leadership gained").Str("job", name_);
  } else {
    util::LogLine line(util::LogLevel::kInfo, "leadership lost");
    line.Str("job", name_);
    if (!answer.ok()) line.Str("error", answer.status().ToString());
  }
  if (gauge_ != nullptr) gauge_->Set(now_held ? 1 : 0, {name_});
  if (on_change_) on_change_(now_held);
}

bool Leadership::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_;
}

void Leadership::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    CheckNow();
    lock.lock();
  }
}

}  // namespace stripehook::app
