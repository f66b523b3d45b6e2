#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::store::postgres {

// Reconnects after a failure wait min_delay, doubling up to max_delay, so a PostgreSQL that is
// down costs one refused connect per delay instead of one per request. Not thread-safe.
class ReconnectBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  ReconnectBackoff(Clock::duration min_delay, Clock::duration max_delay)
      : min_delay_(min_delay), max_delay_(max_delay), delay_(min_delay) {}

  // kUnavailable (naming the last failure) while the delay since the last failure runs;
  // otherwise calls connect() and records its outcome.
  util::StatusOr<std::unique_ptr<PgConnection>> Connect(const PgConnection::Options& options);

 private:
  const Clock::duration min_delay_, max_delay_;
  Clock::duration delay_;
  Clock::time_point retry_at_{};
  util::Status last_error_;
};

// A fixed number of connections for queries, connected lazily and replaced after they break
// (with backoff). Acquire() blocks while all are leased. Thread-safe.
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(ConnectionPool* pool, size_t slot) : pool_(pool), slot_(slot) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->Release(slot_);
    }
    PgConnection& conn() { return *pool_->conns_[slot_]; }

   private:
    ConnectionPool* pool_;
    size_t slot_;
  };

  ConnectionPool(PgConnection::Options options, int size);

  // A connected lease, or kUnavailable when PostgreSQL cannot be reached (without waiting for
  // the backoff delay: the caller answers 503 at once).
  util::StatusOr<Lease> Acquire() EXCLUDES(mu_);

 private:
  void Release(size_t slot) EXCLUDES(mu_);

  const PgConnection::Options options_;
  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<bool> leased_ GUARDED_BY(mu_);
  // Slot i belongs to whoever leased it; replaced only by that holder.
  std::vector<std::unique_ptr<PgConnection>> conns_;
  std::mutex backoff_mu_;
  ReconnectBackoff backoff_;
};

}  // namespace stripehook::store::postgres
