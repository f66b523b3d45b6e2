#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::store::sqlite {

// A fixed set of read-only connections shared by the threads that query the store. In WAL mode
// readers and the writer do not block each other. Thread-safe.
class ReadPool {
 public:
  // A connection lent to one thread; returned to the pool on destruction.
  class Lease {
   public:
    Lease(ReadPool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() { pool_->Return(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& conn() { return *conn_; }

   private:
    ReadPool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Opens `size` (>= 1) read-only connections to an existing WAL database.
  static util::StatusOr<std::unique_ptr<ReadPool>> Open(const std::string& path, int size,
                                                        int64_t busy_timeout_ms);

  // Waits until a connection is free. The pool must outlive the lease.
  Lease Acquire() EXCLUDES(mu_);

 private:
  ReadPool() = default;
  void Return(std::unique_ptr<Connection> conn) EXCLUDES(mu_);

  std::mutex mu_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<Connection>> idle_ GUARDED_BY(mu_);
};

}  // namespace stripehook::store::sqlite
