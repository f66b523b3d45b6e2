#include "util/log_writer.h"
#include "util/thread_name.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace stripehook::util {
namespace {

constexpr size_t kMaxPendingBytes = 4 << 20;
constexpr std::chrono::milliseconds kGather{2};
constexpr size_t kGatherBytes = 64 << 10;

void WriteAll(const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

class LogWriterThread {
 public:
  void Enqueue(std::string&& line) {
    std::unique_lock lock(mu_);
    if (!started_) Start();
    if (stopped_ || pending_.size() >= kMaxPendingBytes) {
      lock.unlock();
      WriteAll(line);
      return;
    }
    pending_ += line;
    // Only a writer waiting for its first line is woken, or one gathering once the batch is big
    // enough: otherwise it wakes by itself at the end of its gathering interval.
    bool crossed = pending_.size() >= kGatherBytes && pending_.size() - line.size() < kGatherBytes;
    if (idle_ || crossed) {
      idle_ = false;
      wake_.notify_one();
    }
  }

  void Flush() {
    std::lock_guard write_lock(write_mu_);
    std::string batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(pending_);
    }
    WriteAll(batch);
  }

  void StopAndFlush() {
    {
      std::lock_guard lock(mu_);
      if (!started_ || stopped_) return;
      stopped_ = true;
    }
    wake_.notify_one();
    thread_.join();
    Flush();
  }

 private:
  void Start() {
    started_ = true;
    thread_ = StartNamedThread("log-writer", [this] { Run(); });
    std::atexit([] { Instance().StopAndFlush(); });
  }

  // One wake-up per line cost more CPU than the line itself (a context switch each, thousands a
  // second under webhook load): after the first line the thread lets more gather for kGather, so
  // it wakes at most ~1/kGather times a second. Lines reach stderr at most kGather later.
  void Run() {
    std::string batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        // idle_ is raised before every wait: a Flush() may take the lines an Enqueue woke us
        // for, and the next Enqueue must still wake us.
        while (!stopped_ && pending_.empty()) {
          idle_ = true;
          wake_.wait(lock);
        }
        idle_ = false;
        if (pending_.empty() && stopped_) return;
        wake_.wait_for(lock, kGather,
                       [this] { return stopped_ || pending_.size() >= kGatherBytes; });
      }
      // write_mu_ before mu_, as in Flush(): whoever takes a batch writes it before the next.
      std::lock_guard write_lock(write_mu_);
      {
        std::lock_guard lock(mu_);
        batch.clear();
        batch.swap(pending_);
      }
      WriteAll(batch);
    }
  }

 public:
  static LogWriterThread& Instance() {
    // Never destroyed: the exit handler stops the thread, and no destructor races with it.
    static LogWriterThread* instance = new LogWriterThread();
    return *instance;
  }

 private:
  std::mutex mu_;
  std::mutex write_mu_;  // keeps batches whole and in order between the thread and Flush()
  std::condition_variable wake_;
  std::string pending_;
  bool started_ = false;
  bool stopped_ = false;
  bool idle_ = false;  // the thread waits for a first line (and must be woken)
  std::thread thread_;
};

}  // namespace

void EnqueueLogLine(std::string&& line) { LogWriterThread::Instance().Enqueue(std::move(line)); }

void FlushLogLines() { LogWriterThread::Instance().Flush(); }

}  // namespace stripehook::util
