#include "admin/work_queue.h"

#include <algorithm>
#include <exception>
#include <utility>

#include "util/log.h"
#include "util/thread_name.h"

namespace stripehook::admin {

WorkQueue::WorkQueue(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.push_back(util::StartNamedThread("admin-work", [this] { Loop(); }));
  }
}

WorkQueue::~WorkQueue() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkQueue::Post(std::function<void()> work) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(work));
  }
  ready_.notify_one();
}

void WorkQueue::Loop() {
  while (true) {
    std::function<void()> work;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    // This thread's last-resort catch: a throwing handler must not end the process.
    try {
      work();
    } catch (const std::exception& e) {
      util::LogError("admin work threw").Str("what", e.what());
    }
  }
}

}  // namespace stripehook::admin
