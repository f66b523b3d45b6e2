#include "notify/outbox_deliverer.h"

#include <algorithm>
#include <set>

#include "util/log.h"
#include "util/thread_name.h"

namespace stripehook::notify {

struct OutboxDeliverer::Pass {
  int64_t now_us = 0;
  // (user, channel) pairs held back behind an earlier row of the user not yet taken.
  std::set<std::pair<std::string, std::string>> blocked;
  std::vector<store::OutboxUpdate> updates;
  std::vector<store::OutboxEntry> died;
  int attempted = 0;
};

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

boost::json::object ParseBody(const store::OutboxEntry& entry) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(entry.body, ec);
  if (ec || !parsed.is_object()) {
    util::LogWarn("outbox body is not a JSON object").Int("outbox_id", entry.id);
    return {};
  }
  return std::move(parsed.as_object());
}

}  // namespace

OutboxDeliverer::OutboxDeliverer(store::Store* store, const util::Clock* clock,
                                 std::vector<std::unique_ptr<Channel>> channels,
                                 DeliveryOptions options, AlertFunction alert)
    : store_(store),
      clock_(clock),
      channels_(std::move(channels)),
      options_(std::move(options)),
      alert_(std::move(alert)),
      random_(options_.seed != 0 ? options_.seed : std::random_device{}()) {}

OutboxDeliverer::~OutboxDeliverer() { Stop(); }

int64_t OutboxDeliverer::RetryDelayMicros(int failed_attempts) {
  int64_t delay = options_.initial_backoff_seconds * 1'000'000;
  const int64_t cap = options_.max_backoff_seconds * 1'000'000;
  for (int i = 1; i < failed_attempts && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);
  std::uniform_real_distribution<double> cut(0.0, options_.jitter);
  return delay - static_cast<int64_t>(static_cast<double>(delay) * cut(random_));
}

util::StatusOr<int> OutboxDeliverer::RunOnce() {
  Pass pass;
  pass.now_us = clock_->NowUnixMicros();
  int64_t after_id = 0;
  for (int page = 0; page < options_.max_pages_per_pass; ++page) {
    SH_ASSIGN_OR_RETURN(std::vector<store::OutboxEntry> open,
                        store_->OpenOutbox(after_id, options_.batch_size));
    for (const store::OutboxEntry& entry : open) DeliverRow(entry, pass);
    if (static_cast<int>(open.size()) < options_.batch_size) break;
    after_id = open.back().id;
  }
  SH_RETURN_IF_ERROR(store_->UpdateOutbox(std::move(pass.updates)));
  for (const store::OutboxEntry& entry : pass.died) {
    if (!alert_) continue;
    util::Status alerted = alert_(entry);
    if (!alerted.ok()) util::LogError("dead outbox alert failed").Str("error", alerted.ToString());
  }
  stats_.passes.fetch_add(1, std::memory_order_relaxed);
  return pass.attempted;
}

void OutboxDeliverer::DeliverRow(const store::OutboxEntry& entry, Pass& pass) {
  const bool due = !entry.next_attempt_at_us || *entry.next_attempt_at_us <= pass.now_us;
  std::vector<std::string> done = entry.channels_done;
  bool attempted = false, all_done = true;
  std::string error;
  boost::json::object body;
  bool parsed = false;
  for (const std::unique_ptr<Channel>& channel : channels_) {
    if (!channel->Wants(entry) || Contains(done, channel->name())) continue;
    auto key = std::make_pair(entry.user_id, channel->name());
    if (!due || pass.blocked.count(key) != 0) {
      pass.blocked.insert(key);
      all_done = false;
      continue;
    }
    if (!parsed) {  // once per row, and only for rows some channel takes now
      body = ParseBody(entry);
      parsed = true;
    }
    attempted = true;
    util::Status status = channel->Deliver(Delivery{entry, body, pass.now_us});
    if (status.ok()) {
      done.push_back(channel->name());
      continue;
    }
    stats_.attempts_failed.fetch_add(1, std::memory_order_relaxed);
    pass.blocked.insert(key);
    all_done = false;
    if (!error.empty()) error += "; ";
    error += channel->name() + ": " + status.message();
  }
  // A row nobody wants (or every channel already took) completes without an attempt.
  if (attempted || all_done) Finish(entry, std::move(done), all_done, error, pass);
}

void OutboxDeliverer::Finish(const store::OutboxEntry& entry, std::vector<std::string> done,
                             bool all_done, const std::string& error, Pass& pass) {
  ++pass.attempted;
  store::OutboxUpdate u;
  u.id = entry.id;
  u.channels_done = std::move(done);
  u.attempts = entry.attempts + 1;
  if (all_done) {
    u.status = store::OutboxStatus::kDelivered;
    u.delivered_at_us = pass.now_us;
    stats_.delivered.fetch_add(1, std::memory_order_relaxed);
  } else {
    int64_t next = pass.now_us + RetryDelayMicros(u.attempts);
    u.last_error = error;
    if (next > entry.created_at_us + options_.deadline_seconds * 1'000'000) {
      u.status = store::OutboxStatus::kDead;
      stats_.dead.fetch_add(1, std::memory_order_relaxed);
      pass.died.push_back(entry);
      util::LogError("outbox row dead")
          .Int("outbox_id", entry.id)
          .Str("type", entry.type)
          .Int("attempts", u.attempts)
          .Str("error", error);
    } else {
      u.status = store::OutboxStatus::kFailed;
      u.next_attempt_at_us = next;
      util::LogWarn("outbox delivery failed")
          .Int("outbox_id", entry.id)
          .Str("type", entry.type)
          .Int("attempts", u.attempts)
          .Int("next_attempt_at_us", next)
          .Str("error", error);
    }
  }
  pass.updates.push_back(std::move(u));
}

void OutboxDeliverer::Start() {
  stopping_ = false;
  worker_ = util::StartNamedThread("outbox", [this] { Loop(); });
}

void OutboxDeliverer::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void OutboxDeliverer::Notify() {
  {
    std::lock_guard lock(wake_mu_);
    wake_pending_ = true;
  }
  wake_.notify_one();
}

void OutboxDeliverer::Loop() {
  while (!stopping_.load()) {
    util::StatusOr<int> attempted = RunOnce();
    if (!attempted.ok()) {
      util::LogError("outbox delivery pass failed").Str("error", attempted.status().ToString());
    } else if (*attempted > 0) {
      continue;  // more may be due right behind them
    }
    std::unique_lock lock(wake_mu_);
    wake_.wait_for(lock, options_.poll_interval,
                   [this] { return wake_pending_ || stopping_.load(); });
    wake_pending_ = false;
  }
}

}  // namespace stripehook::notify
