#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "util/thread_annotations.h"

namespace stripehook::admin {

// A few threads that run admin work which may block on the store (reads, commits, cleanup), so
// HTTP I/O threads never wait on the database. Post never blocks. The destructor runs what is
// queued, then joins. Thread-safe.
class WorkQueue {
 public:
  explicit WorkQueue(int threads);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Post(std::function<void()> work) EXCLUDES(mu_);

 private:
  void Loop() EXCLUDES(mu_);

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace stripehook::admin
