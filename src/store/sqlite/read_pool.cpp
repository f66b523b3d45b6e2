#include "store/sqlite/read_pool.h"

#include <utility>

#include "store/sqlite/pragmas.h"

namespace stripehook::store::sqlite {
namespace {
// Readers serve point lookups and short pages; the OS page cache holds the file anyway. 2 MiB
// each keeps four of them well inside the server's memory budget.
constexpr int64_t kReaderCacheKib = 2048;
}  // namespace

util::StatusOr<std::unique_ptr<ReadPool>> ReadPool::Open(const std::string& path, int size,
                                                         int64_t busy_timeout_ms) {
  if (size < 1) return util::InvalidArgumentError("read_connections must be at least 1");
  std::unique_ptr<ReadPool> pool(new ReadPool());
  ConnectionOptions options;
  options.read_only = true;
  options.busy_timeout_ms = busy_timeout_ms;
  for (int i = 0; i < size; ++i) {
    SH_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(path, options));
    SH_RETURN_IF_ERROR(ConfigureReader(*conn, kReaderCacheKib));
    std::lock_guard<std::mutex> lock(pool->mu_);
    pool->idle_.push_back(std::move(conn));
  }
  return pool;
}

ReadPool::Lease ReadPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  freed_.wait(lock, [this] { return !idle_.empty(); });
  std::unique_ptr<Connection> conn = std::move(idle_.back());
  idle_.pop_back();
  return Lease(this, std::move(conn));
}

void ReadPool::Return(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    idle_.push_back(std::move(conn));
  }
  freed_.notify_one();
}

}  // namespace stripehook::store::sqlite
