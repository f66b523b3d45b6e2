#include "app/scheduler.h"

#include <boost/json.hpp>

#include <atomic>
#include <future>

#include "support/status_matchers.h"

namespace stripehook::app {
namespace {

using std::chrono::seconds;

constexpr int64_t kStart = 1'800'000'000;

JobSpec Counting(std::string name, seconds interval, std::atomic<int>* runs) {
  return {std::move(name), interval, [runs]() -> util::StatusOr<JobResult> {
            ++*runs;
            return JobResult{false, "did it", {{"items", 7}}, ""};
          }};
}

TEST(SchedulerTest, JobsRunWhenTheirIntervalHasPassed) {
  util::ManualClock clock(kStart * 1'000'000);
  Scheduler scheduler(&clock);
  std::atomic<int> fast = 0, slow = 0;
  ASSERT_OK(scheduler.Add(Counting("fast", seconds(900), &fast)));
  ASSERT_OK(scheduler.Add(Counting("slow", seconds(3600), &slow)));

  EXPECT_EQ(scheduler.RunDue(), 0);
  clock.Advance(seconds(899));
  EXPECT_EQ(scheduler.RunDue(), 0);
  clock.Advance(seconds(1));
  EXPECT_EQ(scheduler.RunDue(), 1);
  EXPECT_EQ(fast, 1);
  EXPECT_EQ(scheduler.RunDue(), 0);  // not again until the next interval
  clock.Advance(seconds(2700));
  EXPECT_EQ(scheduler.RunDue(), 2);
  EXPECT_EQ(fast, 2);
  EXPECT_EQ(slow, 1);
}

TEST(SchedulerTest, MissedIntervalsRunOnceNotOncePerInterval) {
  util::ManualClock clock(kStart * 1'000'000);
  Scheduler scheduler(&clock);
  std::atomic<int> runs = 0;
  ASSERT_OK(scheduler.Add(Counting("job", seconds(60), &runs)));
  clock.Advance(seconds(600));
  EXPECT_EQ(scheduler.RunDue(), 1);
  EXPECT_EQ(scheduler.RunDue(), 0);
  std::vector<JobStatus> jobs = scheduler.Jobs();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(*jobs[0].next_run_at_us, (kStart + 660) * 1'000'000);
}

TEST(SchedulerTest, RunIsRecordedWithFiguresAndOutcome) {
  util::ManualClock clock(kStart * 1'000'000);
  Scheduler scheduler(&clock);
  ASSERT_OK(scheduler.Add({"skips", seconds(10), []() -> util::StatusOr<JobResult> {
                             return JobResult{true, "no Stripe key configured", {}, ""};
                           }}));
  ASSERT_OK(scheduler.Add({"fails", seconds(10), []() -> util::StatusOr<JobResult> {
                             return util::UnavailableError("store down");
                           }}));
  clock.Advance(seconds(10));
  EXPECT_EQ(scheduler.RunDue(), 2);
  std::vector<JobStatus> jobs = scheduler.Jobs();  // sorted by name
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].name, "fails");
  EXPECT_EQ(jobs[0].last->outcome, "error");
  EXPECT_EQ(jobs[0].failures, 1);
  EXPECT_EQ(jobs[1].last->outcome, "skipped");
  EXPECT_EQ(jobs[1].last->message, "no Stripe key configured");

  boost::json::value json = boost::json::parse(JobsToJson(jobs));
  const boost::json::object& skipped = json.at("data").as_array()[1].as_object();
  EXPECT_EQ(skipped.at("name").as_string(), "skips");
  EXPECT_EQ(skipped.at("last_run").at("outcome").as_string(), "skipped");
  EXPECT_EQ(skipped.at("next_run_at").as_int64(), kStart + 20);
}

TEST(SchedulerTest, ManualRunReturnsTheRecordAndUnknownJobIsNotFound) {
  util::ManualClock clock(kStart * 1'000'000);
  Scheduler scheduler(&clock);
  std::atomic<int> runs = 0;
  ASSERT_OK(scheduler.Add(Counting("job", seconds(0), &runs)));  // on demand only
  clock.Advance(seconds(100000));
  EXPECT_EQ(scheduler.RunDue(), 0);
  ASSERT_OK_AND_ASSIGN(JobRun run, scheduler.RunNow("job"));
  EXPECT_EQ(run.outcome, "ok");
  EXPECT_EQ(run.trigger, "manual");
  ASSERT_EQ(run.figures.size(), 1u);
  EXPECT_EQ(run.figures[0].second, 7);
  EXPECT_EQ(runs, 1);
  EXPECT_STATUS_CODE(scheduler.RunNow("nope"), kNotFound);
  EXPECT_STATUS_CODE(scheduler.Add(Counting("job", seconds(1), &runs)), kAlreadyExists);
}

// A job that is still running is neither started again by the schedule nor by hand.
TEST(SchedulerTest, AJobNeverOverlapsItself) {
  util::ManualClock clock(kStart * 1'000'000);
  Scheduler scheduler(&clock);
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> runs = 0;
  ASSERT_OK(scheduler.Add({"slow", seconds(10), [&]() -> util::StatusOr<JobResult> {
                             if (++runs == 1) {
                               entered.set_value();
                               released.wait();
                             }
                             return JobResult{};
                           }}));
  clock.Advance(seconds(10));
  std::thread first([&] { EXPECT_EQ(scheduler.RunDue(), 1); });
  entered.get_future().wait();
  clock.Advance(seconds(60));
  EXPECT_EQ(scheduler.RunDue(), 0);
  EXPECT_STATUS_CODE(scheduler.RunNow("slow"), kFailedPrecondition);
  EXPECT_TRUE(scheduler.Jobs()[0].running);
  release.set_value();
  first.join();
  EXPECT_EQ(runs, 1);
  EXPECT_FALSE(scheduler.Jobs()[0].running);
  EXPECT_EQ(scheduler.RunDue(), 1);  // due again now that it finished
  EXPECT_EQ(runs, 2);
}

TEST(SchedulerTest, TriggerRunsOnItsOwnThreadAndReportsTheRun) {
  util::ManualClock clock(kStart * 1'000'000);
  Scheduler scheduler(&clock);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_OK(scheduler.Add({"job", seconds(0), [&]() -> util::StatusOr<JobResult> {
                             released.wait();
                             return JobResult{false, "done", {{"n", 3}}, R"({"x":1})"};
                           }}));
  std::promise<JobRun> finished;
  ASSERT_OK(scheduler.Trigger("job", [&](const JobRun& run) { finished.set_value(run); }));
  EXPECT_STATUS_CODE(scheduler.Trigger("job", nullptr), kFailedPrecondition);
  release.set_value();
  JobRun run = finished.get_future().get();
  EXPECT_EQ(run.outcome, "ok");
  EXPECT_EQ(run.trigger, "manual");
  boost::json::value json = boost::json::parse(JobRunToJson("job", run));
  EXPECT_EQ(json.at("detail").at("x").as_int64(), 1);
  EXPECT_EQ(json.at("figures").at("n").as_int64(), 3);
  EXPECT_STATUS_CODE(scheduler.Trigger("nope", nullptr), kNotFound);
  scheduler.Stop();
  EXPECT_STATUS_CODE(scheduler.Trigger("job", nullptr), kUnavailable);
}

// The background thread starts due jobs by itself; the test polls (up to 30 s) for the run.
TEST(SchedulerTest, BackgroundThreadRunsDueJobs) {
  util::ManualClock clock(kStart * 1'000'000);
  Scheduler scheduler(&clock, std::chrono::milliseconds(5));
  std::atomic<int> runs = 0;
  ASSERT_OK(scheduler.Add(Counting("job", seconds(60), &runs)));
  scheduler.Start();
  clock.Advance(seconds(60));
  auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (scheduler.Jobs()[0].runs == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  scheduler.Stop();
  EXPECT_EQ(runs, 1);
  EXPECT_EQ(scheduler.Jobs()[0].last->trigger, "schedule");
}

}  // namespace
}  // namespace stripehook::app
