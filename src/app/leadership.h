#pragma once

// Leadership of a job that must run on one instance of a cluster at a time (the scheduler, outbox
// delivery): asks the store every few seconds whether this instance holds the job's lock, and
// tells the owner when that changes. See docs/deploy.md "What runs where".

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "util/metrics.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::app {

// How often a running Leadership asks again. Short enough that a job moves to another instance
// within a few seconds of its leader dying (plus PostgreSQL's own detection of the dead session).
inline constexpr std::chrono::milliseconds kLeadershipCheckInterval{2000};

// Tracks whether this process leads job `name`. `try_hold` is asked at every check (typically
// store->HoldLeadership(name): it takes the lock when free and answers whether it is held); an
// error counts as not held (a database that cannot be reached must not leave two leaders).
// `on_change(true)` runs when leadership is gained, `on_change(false)` when it is lost; each
// change is logged once ("leadership gained"/"leadership lost", with the job name) and shown in
// the gauge stripehook_leader{job=name} (0/1) of `metrics`. Not held until the first check.
//
// Thread-safety: Start, Stop and CheckNow from one owner thread; held() from any. on_change runs
// on the thread that checks (Start's caller for the first check, then the background thread) and
// may block (e.g. to stop a job); checks wait for it.
class Leadership {
 public:
  using TryHold = std::function<util::StatusOr<bool>()>;
  using OnChange = std::function<void(bool held)>;

  Leadership(std::string name, TryHold try_hold, OnChange on_change,
             util::MetricsRegistry& metrics = util::DefaultMetrics(),
             std::chrono::milliseconds interval = kLeadershipCheckInterval);
  ~Leadership();  // Stop()s
  Leadership(const Leadership&) = delete;
  Leadership& operator=(const Leadership&) = delete;

  // Checks once on the caller's thread (so a single-instance store, always the leader, starts
  // its job before Start returns), then every interval on a background thread.
  void Start();
  // Stops checking and waits for the background thread. Does not call on_change: the owner stops
  // its job itself when it shuts down. Idempotent.
  void Stop();
  // One check on the caller's thread: what the background thread does every interval.
  void CheckNow();

  bool held() const;
  const std::string& name() const { return name_; }

 private:
  void Loop();

  const std::string name_;
  const TryHold try_hold_;
  const OnChange on_change_;
  util::GaugeFamily* const gauge_;
  const std::chrono::milliseconds interval_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool held_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread loop_;
};

}  // namespace stripehook::app
