#include "app/leadership.h"

#include <deque>
#include <string>
#include <vector>

#include "app/scheduler.h"
#include "support/status_matchers.h"
#include "util/log.h"

namespace stripehook::app {
namespace {

// The answers the lock gives, one per check (the last one repeats), and what the owner was told.
struct Script {
  std::deque<util::StatusOr<bool>> answers;
  std::vector<bool> changes;
  Leadership::TryHold TryHold() {
    return [this]() -> util::StatusOr<bool> {
      util::StatusOr<bool> next = answers.front();
      if (answers.size() > 1) answers.pop_front();
      return next;
    };
  }
  Leadership::OnChange OnChange() {
    return [this](bool held) { changes.push_back(held); };
  }
};

double Gauge(util::MetricsRegistry& metrics, const std::string& job) {
  return metrics.Gauge("stripehook_leader", "", {"job"})->Value({job});
}

TEST(LeadershipTest, OwnerIsToldOnlyOfChangesAndTheGaugeFollows) {
  util::MetricsRegistry metrics;
  Script script;
  script.answers = {false, true, true, false, true};
  Leadership leadership("scheduler", script.TryHold(), script.OnChange(), metrics);
  EXPECT_EQ(Gauge(metrics, "scheduler"), 0);
  leadership.CheckNow();  // another instance holds it: nothing to tell
  EXPECT_TRUE(script.changes.empty());
  EXPECT_FALSE(leadership.held());
  leadership.CheckNow();
  leadership.CheckNow();
  EXPECT_EQ(script.changes, std::vector<bool>({true}));
  EXPECT_TRUE(leadership.held());
  EXPECT_EQ(Gauge(metrics, "scheduler"), 1);
  leadership.CheckNow();
  EXPECT_EQ(script.changes, std::vector<bool>({true, false}));
  EXPECT_EQ(Gauge(metrics, "scheduler"), 0);
  leadership.CheckNow();
  EXPECT_EQ(script.changes, std::vector<bool>({true, false, true}));
}

TEST(LeadershipTest, AnUnreachableDatabaseCountsAsNotHeld) {
  util::MetricsRegistry metrics;
  Script script;
  script.answers = {true, util::UnavailableError("connection refused"), true};
  std::vector<std::string> lines;
  util::SetLogSinkForTesting([&](std::string_view line) { lines.emplace_back(line); });
  Leadership leadership("outbox", script.TryHold(), script.OnChange(), metrics);
  leadership.CheckNow();
  leadership.CheckNow();
  EXPECT_FALSE(leadership.held());
  EXPECT_EQ(Gauge(metrics, "outbox"), 0);
  leadership.CheckNow();
  util::SetLogSinkForTesting(nullptr);
  EXPECT_EQ(script.changes, std::vector<bool>({true, false, true}));
  ASSERT_EQ(lines.size(), 3u);  // one line per change, naming the job
  EXPECT_NE(lines[0].find("leadership gained"), std::string::npos);
  EXPECT_NE(lines[1].find("leadership lost"), std::string::npos);
  EXPECT_NE(lines[1].find("connection refused"), std::string::npos);
  EXPECT_NE(lines[1].find("\"job\":\"outbox\""), std::string::npos);
}

TEST(LeadershipTest, StartChecksOnTheCallersThreadFirst) {
  util::MetricsRegistry metrics;
  Script script;
  script.answers = {true};
  Leadership leadership("scheduler", script.TryHold(), script.OnChange(), metrics,
                        std::chrono::hours(1));
  leadership.Start();
  EXPECT_TRUE(leadership.held());  // a single-instance store leads before Start returns
  leadership.Stop();
  leadership.Stop();
  EXPECT_EQ(script.changes, std::vector<bool>({true}));
}

TEST(LeadershipTest, APausedScheduleRunsNothingUntilResumedButManualRunsWork) {
  util::ManualClock clock(1'800'000'000'000'000);
  Scheduler scheduler(&clock);
  int runs = 0;
  ASSERT_OK(scheduler.Add({"job", std::chrono::seconds(60), [&runs]() -> util::StatusOr<JobResult> {
                             ++runs;
                             return JobResult{};
                           }}));
  scheduler.PauseSchedule(true);
  clock.Advance(std::chrono::seconds(600));
  EXPECT_EQ(scheduler.RunDue(), 0);
  ASSERT_OK(scheduler.RunNow("job").status());
  EXPECT_EQ(runs, 1);
  scheduler.PauseSchedule(false);
  EXPECT_EQ(scheduler.RunDue(), 1);  // came due while paused: runs at once
  EXPECT_EQ(runs, 2);
}

}  // namespace
}  // namespace stripehook::app
