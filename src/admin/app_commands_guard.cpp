#include "admin/app_commands_guard.h"

#include <algorithm>

namespace stripehook::admin {

std::optional<std::string> CheckoutGuard::Remembered(const std::string& user,
                                                     const std::string& key, int64_t now) {
  std::lock_guard lock(mu_);
  auto it = answers_.find({user, key});
  if (it == answers_.end()) return std::nullopt;
  if (now - it->second.at >= ttl_) {
    answers_.erase(it);
    return std::nullopt;
  }
  return it->second.body;
}

void CheckoutGuard::Remember(const std::string& user, const std::string& key, std::string answer,
                             int64_t now) {
  std::lock_guard lock(mu_);
  // Expired answers go when new ones come, so memory follows the traffic of one TTL.
  std::erase_if(answers_, [&](const auto& entry) { return now - entry.second.at >= ttl_; });
  answers_[{user, key}] = Answer{std::move(answer), now};
}

int64_t CheckoutGuard::TakeSlot(const std::string& user, int64_t now) {
  std::lock_guard lock(mu_);
  std::deque<int64_t>& times = recent_[user];
  while (!times.empty() && now - times.front() >= 60) times.pop_front();
  if (static_cast<int>(times.size()) >= per_minute_) {
    return std::max<int64_t>(1, times.front() + 60 - now);
  }
  times.push_back(now);
  return 0;
}

}  // namespace stripehook::admin
