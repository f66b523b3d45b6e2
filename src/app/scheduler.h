#pragma once

// The scheduler: periodic jobs (retry due failures, backfill, reconcile, health check, cleanup)
// with per-job intervals, each run logged with its figures and kept for the admin API. Time comes
// from a util::Clock, so tests drive it with a ManualClock and RunDue() instead of waiting.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "util/clock.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::app {

// What one run of a job reports. `skipped` when a dependency is absent (no Stripe key, no cleanup
// support in this store): the run did nothing and `message` says why.
struct JobResult {
  bool skipped = false;
  std::string message;
  std::vector<std::pair<std::string, int64_t>> figures;  // logged and shown, in this order
  std::string detail_json;  // optional JSON object with the full report (e.g. reconcile findings)
};
using JobFunction = std::function<util::StatusOr<JobResult>()>;

struct JobSpec {
  std::string name;                  // "retry-due-failures", "backfill", ...
  std::chrono::seconds interval{0};  // <= 0: never scheduled, only run on demand
  JobFunction run;
};

struct JobRun {
  int64_t started_at_us = 0;
  int64_t finished_at_us = 0;
  std::string outcome;  // "ok" | "skipped" | "error"
  std::string message;  // the error, the skip reason, or the job's message
  std::vector<std::pair<std::string, int64_t>> figures;
  std::string detail_json;
  std::string trigger;  // "schedule" | "manual"
};

struct JobStatus {
  std::string name;
  int64_t interval_seconds = 0;
  bool running = false;
  std::optional<int64_t> next_run_at_us;  // absent when not scheduled
  int64_t runs = 0;
  int64_t failures = 0;
  std::optional<JobRun> last;
};

// {"object":"list","data":[{"name","interval_seconds","running","next_run_at","runs","failures",
//  "last_run":{"started_at","finished_at","duration_ms","outcome","message","trigger","figures":{..}}}]}
// (times as Unix seconds).
std::string JobsToJson(const std::vector<JobStatus>& jobs);
std::string JobRunToJson(const std::string& name, const JobRun& run);

// Thread-safe. A job never runs twice at once: a due job that is still running is not started
// again (its next time is counted from its start, so a long run does not shift the schedule by
// its own duration), and RunNow of a running job answers kFailedPrecondition. Each job function is
// called on a thread of its own (Start) or on the caller's (RunDue, RunNow with wait), and must be
// safe to call from any thread.
class Scheduler {
 public:
  // `tick` is how often the background thread looks at the clock (real time).
  explicit Scheduler(const util::Clock* clock,
                     std::chrono::milliseconds tick = std::chrono::milliseconds(1000));
  ~Scheduler();  // Stop()s
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Adds a job before Start/RunDue; its first run is one interval after it was added.
  // kAlreadyExists for a second job of the same name, kInvalidArgument without a function.
  util::Status Add(JobSpec spec);

  // Runs, one after another on the calling thread, every job whose time has come and that is not
  // running; returns how many ran. What the background thread does at every tick; tests call it
  // after moving a ManualClock.
  int RunDue();

  // Runs `name` now on the calling thread, outside the schedule, and returns its record.
  // kNotFound for an unknown job; kFailedPrecondition when it is running already.
  util::StatusOr<JobRun> RunNow(const std::string& name);

  // Starts `name` now on a thread of its own (an HTTP handler must not block) and calls `done`
  // with its record on that thread when it finishes. kNotFound for an unknown job,
  // kFailedPrecondition when it is running, kUnavailable after Stop().
  util::Status Trigger(const std::string& name, std::function<void(const JobRun&)> done);

  // Starts the background thread: every tick, each due job is started on its own thread (so a
  // long reconcile does not hold back the retry job). Stop() waits for running jobs to finish.
  void Start();
  void Stop();

  // While paused, no scheduled run starts (RunDue and the background thread skip every job);
  // RunNow and Trigger still run. A job that came due meanwhile runs at the first tick after it
  // resumes. For a cluster: only the instance holding the scheduler's leadership runs the schedule.
  void PauseSchedule(bool paused);

  std::vector<JobStatus> Jobs() const;

 private:
  struct Job;
  // Claims `job` if it is idle (and, for the schedule, due): marks it running. Under mu_.
  bool ClaimLocked(Job& job, bool scheduled, int64_t now_us) REQUIRES(mu_);
  JobRun Execute(Job& job, const std::string& trigger);
  void Loop();

  const util::Clock* clock_;
  const std::chrono::milliseconds tick_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, std::unique_ptr<Job>> jobs_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool paused_ GUARDED_BY(mu_) = false;
  std::thread loop_;
};

}  // namespace stripehook::app
