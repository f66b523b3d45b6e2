#include "app/scheduler.h"

#include <boost/json.hpp>

#include <exception>

#include "util/log.h"
#include "util/thread_name.h"

namespace stripehook::app {

struct Scheduler::Job {
  JobSpec spec;
  std::optional<int64_t> next_run_us;
  bool running = false;
  int64_t runs = 0;
  int64_t failures = 0;
  std::optional<JobRun> last;
  std::thread thread;  // the background run, joined before the next one starts
};

namespace {

boost::json::object RunToJson(const JobRun& run) {
  boost::json::object figures;
  for (const auto& [key, value] : run.figures) figures[key] = value;
  boost::json::object out{{"started_at", run.started_at_us / 1'000'000},
                          {"finished_at", run.finished_at_us / 1'000'000},
                          {"duration_ms", (run.finished_at_us - run.started_at_us) / 1000},
                          {"outcome", run.outcome},
                          {"message", run.message},
                          {"trigger", run.trigger},
                          {"figures", std::move(figures)}};
  if (!run.detail_json.empty()) {
    boost::system::error_code ec;
    boost::json::value detail = boost::json::parse(run.detail_json, ec);
    if (!ec) out["detail"] = std::move(detail);
  }
  return out;
}

void LogRun(const std::string& name, const JobRun& run) {
  util::LogLine line(run.outcome == "error" ? util::LogLevel::kError : util::LogLevel::kInfo,
                     "job run");
  line.Str("job", name)
      .Str("outcome", run.outcome)
      .Str("trigger", run.trigger)
      .Int("duration_ms", (run.finished_at_us - run.started_at_us) / 1000);
  if (!run.message.empty()) line.Str("message", run.message);
  for (const auto& [key, value] : run.figures) line.Int(key, value);
}

}  // namespace

std::string JobRunToJson(const std::string& name, const JobRun& run) {
  boost::json::object out = RunToJson(run);
  out["job"] = name;
  return boost::json::serialize(out);
}

std::string JobsToJson(const std::vector<JobStatus>& jobs) {
  boost::json::array data;
  for (const JobStatus& job : jobs) {
    boost::json::object o{{"name", job.name},
                          {"interval_seconds", job.interval_seconds},
                          {"running", job.running},
                          {"runs", job.runs},
                          {"failures", job.failures}};
    o["next_run_at"] = job.next_run_at_us ? boost::json::value(*job.next_run_at_us / 1'000'000)
                                          : boost::json::value(nullptr);
    o["last_run"] = job.last ? boost::json::value(RunToJson(*job.last)) : nullptr;
    data.push_back(std::move(o));
  }
  return boost::json::serialize(
      boost::json::object{{"object", "list"}, {"data", std::move(data)}, {"has_more", false}});
}

Scheduler::Scheduler(const util::Clock* clock, std::chrono::milliseconds tick)
    : clock_(clock), tick_(tick) {}

Scheduler::~Scheduler() { Stop(); }

util::Status Scheduler::Add(JobSpec spec) {
  if (!spec.run) return util::InvalidArgumentError("job " + spec.name + ": no function");
  std::lock_guard<std::mutex> lock(mu_);
  if (jobs_.count(spec.name) != 0) return util::AlreadyExistsError("job " + spec.name);
  auto job = std::make_unique<Job>();
  if (spec.interval.count() > 0) {
    job->next_run_us = clock_->NowUnixMicros() + spec.interval.count() * 1'000'000;
  }
  std::string name = spec.name;
  job->spec = std::move(spec);
  jobs_[name] = std::move(job);
  return util::OkStatus();
}

bool Scheduler::ClaimLocked(Job& job, bool scheduled, int64_t now_us) {
  if (job.running) return false;
  if (scheduled) {
    if (paused_) return false;
    if (!job.next_run_us || *job.next_run_us > now_us) return false;
    // Counted from now, not from the missed slot: after a pause (or a clock jump) the job runs
    // once, not once per missed interval.
    job.next_run_us = now_us + job.spec.interval.count() * 1'000'000;
  }
  job.running = true;
  return true;
}

JobRun Scheduler::Execute(Job& job, const std::string& trigger) {
  JobRun run;
  run.trigger = trigger;
  run.started_at_us = clock_->NowUnixMicros();
  util::StatusOr<JobResult> result = util::InternalError("job threw");
  try {
    result = job.spec.run();
  } catch (const std::exception& e) {  // last resort: a job must not take the scheduler down
    result = util::InternalError(std::string("job threw: ") + e.what());
  }
  run.finished_at_us = clock_->NowUnixMicros();
  if (!result.ok()) {
    run.outcome = "error";
    run.message = result.status().ToString();
  } else {
    run.outcome = result->skipped ? "skipped" : "ok";
    run.message = std::move(result->message);
    run.figures = std::move(result->figures);
    run.detail_json = std::move(result->detail_json);
  }
  LogRun(job.spec.name, run);
  std::lock_guard<std::mutex> lock(mu_);
  ++job.runs;
  if (run.outcome == "error") ++job.failures;
  job.last = run;
  job.running = false;
  return run;
}

int Scheduler::RunDue() {
  std::vector<Job*> due;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now_us = clock_->NowUnixMicros();
    for (auto& [name, job] : jobs_) {
      if (ClaimLocked(*job, /*scheduled=*/true, now_us)) due.push_back(job.get());
    }
  }
  for (Job* job : due) Execute(*job, "schedule");
  return static_cast<int>(due.size());
}

util::StatusOr<JobRun> Scheduler::RunNow(const std::string& name) {
  Job* job = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = jobs_.find(name);
    if (it == jobs_.end()) return util::NotFoundError("no job named '" + name + "'");
    if (!ClaimLocked(*it->second, /*scheduled=*/false, 0)) {
      return util::FailedPreconditionError("job '" + name + "' is running");
    }
    job = it->second.get();
  }
  return Execute(*job, "manual");
}

util::Status Scheduler::Trigger(const std::string& name, std::function<void(const JobRun&)> done) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return util::UnavailableError("scheduler stopped");
  auto it = jobs_.find(name);
  if (it == jobs_.end()) return util::NotFoundError("no job named '" + name + "'");
  Job* job = it->second.get();
  if (!ClaimLocked(*job, /*scheduled=*/false, 0)) {
    return util::FailedPreconditionError("job '" + name + "' is running");
  }
  if (job->thread.joinable()) job->thread.join();
  job->thread = std::thread([this, job, done = std::move(done)] {
    JobRun run = Execute(*job, "manual");
    if (done) done(run);
  });
  return util::OkStatus();
}

void Scheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (loop_.joinable()) return;
  stopping_ = false;
  loop_ = util::StartNamedThread("scheduler", [this] { Loop(); });
}

void Scheduler::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    int64_t now_us = clock_->NowUnixMicros();
    for (auto& [name, job] : jobs_) {
      if (!ClaimLocked(*job, /*scheduled=*/true, now_us)) continue;
      // The previous run has finished (running was false): its thread is past its last lock.
      if (job->thread.joinable()) job->thread.join();
      job->thread = std::thread([this, j = job.get()] { Execute(*j, "schedule"); });
    }
    wake_.wait_for(lock, tick_, [this] { return stopping_; });
  }
}

void Scheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (loop_.joinable()) loop_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [name, job] : jobs_) {
      if (job->thread.joinable()) threads.push_back(std::move(job->thread));
    }
  }
  for (std::thread& t : threads) t.join();
}

void Scheduler::PauseSchedule(bool paused) {
  std::lock_guard<std::mutex> lock(mu_);
  paused_ = paused;
}

std::vector<JobStatus> Scheduler::Jobs() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<JobStatus> out;
  for (const auto& [name, job] : jobs_) {
    out.push_back({name, job->spec.interval.count(), job->running, job->next_run_us, job->runs,
                   job->failures, job->last});
  }
  return out;
}

}  // namespace stripehook::app
