#include "store/postgres/pg_pool.h"

#include <algorithm>
#include <utility>

#include "util/log.h"

namespace stripehook::store::postgres {

util::StatusOr<std::unique_ptr<PgConnection>> ReconnectBackoff::Connect(
    const PgConnection::Options& options) {
  const Clock::time_point now = Clock::now();
  if (now < retry_at_) return last_error_;
  util::StatusOr<std::unique_ptr<PgConnection>> conn = PgConnection::Connect(options);
  if (conn.ok()) {
    if (delay_ != min_delay_) util::LogInfo("PostgreSQL reachable again");
    delay_ = min_delay_;
    retry_at_ = {};
    return conn;
  }
  last_error_ = conn.status();
  retry_at_ = now + delay_;
  util::LogWarn("PostgreSQL connect failed")
      .Int("retry_in_ms", std::chrono::duration_cast<std::chrono::milliseconds>(delay_).count())
      .Str("error", last_error_.ToString());
  delay_ = std::min(delay_ * 2, max_delay_);
  return last_error_;
}

ConnectionPool::ConnectionPool(PgConnection::Options options, int size)
    : options_(std::move(options)),
      leased_(static_cast<size_t>(std::max(size, 1)), false),
      conns_(leased_.size()),
      backoff_(std::chrono::milliseconds(100), std::chrono::seconds(2)) {}

util::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire() {
  size_t slot = 0;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto free_slot = [this] { return std::find(leased_.begin(), leased_.end(), false); };
    freed_.wait(lock, [&] { return free_slot() != leased_.end(); });
    slot = static_cast<size_t>(free_slot() - leased_.begin());
    leased_[slot] = true;
  }
  Lease lease(this, slot);
  std::unique_ptr<PgConnection>& conn = conns_[slot];
  if (conn != nullptr && (conn->broken() || conn->InTransaction())) conn.reset();
  if (conn == nullptr) {
    std::lock_guard<std::mutex> lock(backoff_mu_);
    SH_ASSIGN_OR_RETURN(conn, backoff_.Connect(options_));
  }
  return lease;
}

void ConnectionPool::Release(size_t slot) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    leased_[slot] = false;
  }
  freed_.notify_one();
}

}  // namespace stripehook::store::postgres
