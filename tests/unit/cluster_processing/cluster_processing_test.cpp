// Two instances (two PostgresStores, two Processors) on one PostgreSQL database, both running:
// every event is handled exactly once, the records equal a rebuild from the inbox, and both
// in-memory states equal the database's. Plus the ProcessDueInCluster contract on its own.
#include <algorithm>
#include <future>
#include <random>

#include "cluster_harness.h"
#include "pipeline/processor.h"
#include "pipeline/rebuild.h"
#include "store/postgres/pg_cluster.h"

namespace stripehook::cluster_test {
namespace {

using pipeline::Processor;
using pipeline::ProcessorOptions;

// The lifecycle fixtures, `copies` times (each copy's ids renamed), in a shuffled order.
std::vector<store::NewEvent> ShuffledCopies(int copies, uint32_t seed) {
  std::vector<std::string> lines = AllLifecycleLines();
  std::set<std::string> ids;
  for (const std::string& line : lines) CollectIds(boost::json::parse(line), ids);
  std::vector<store::NewEvent> events;
  for (int copy = 0; copy < copies; ++copy) {
    for (const std::string& line : lines) {
      events.push_back(
          ToNewEvent(copy == 0 ? line : Renamed(line, ids, "_c" + std::to_string(copy))));
    }
  }
  std::mt19937 random(seed);
  std::shuffle(events.begin(), events.end(), random);
  return events;
}

ProcessorOptions SmallBatches() {
  ProcessorOptions options;
  options.batch_size = 8;  // many rounds, so that the two instances take turns
  options.poll_interval = std::chrono::milliseconds(5);
  options.gather_interval = std::chrono::milliseconds(1);
  return options;
}

int64_t Handled(const Processor& p) {
  return p.stats().processed + p.stats().stale + p.stats().ignored + p.stats().failed +
         p.stats().dead;
}

TEST_F(ClusterTest, TwoInstancesApplyEveryEventExactlyOnce) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE("shuffle seed " + std::to_string(seed));
  std::vector<store::NewEvent> events = ShuffledCopies(3, seed);
  auto store_a = Open();
  auto store_b = Open();
  ASSERT_TRUE(store_a && store_b);
  Processor a(store_a.get(), &clock_, PlansConfig(), SmallBatches());
  Processor b(store_b.get(), &clock_, PlansConfig(), SmallBatches());
  // Half the events wait before the instances start, the rest arrive at either while they run.
  const size_t before = events.size() / 2;
  for (size_t i = 0; i < before; ++i)
    ASSERT_OK((i % 2 ? store_a : store_b)->InsertEvent(events[i]));
  ASSERT_OK(a.LoadState());
  ASSERT_OK(b.LoadState());
  a.Start();
  b.Start();
  for (size_t i = before; i < events.size(); ++i) {
    ASSERT_OK((i % 2 ? store_a : store_b)->InsertEvent(events[i]));
    (i % 2 ? a : b).Notify();
  }
  EXPECT_TRUE(Eventually([&] {
    return QueryInt("SELECT count(*) FROM events WHERE status IN ('pending', 'failed')") == 0;
  }));
  a.Stop();
  b.Stop();

  const int64_t total = static_cast<int64_t>(events.size());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events"), total);
  // Exactly once: one attempt per event, the two instances' counts add up, no audit row twice.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM events WHERE attempts <> 1 OR status NOT IN "
                     "('processed', 'stale', 'ignored')"),
            0);
  EXPECT_EQ(Handled(a) + Handled(b), total) << "a " << Handled(a) << " b " << Handled(b);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM (SELECT 1 FROM audit_log "
                     "GROUP BY event_id, table_name, key HAVING count(*) > 1) twice"),
            0);
  EXPECT_GT(QueryInt("SELECT count(*) FROM audit_log"), total / 2);
  std::cout << "instance a handled " << Handled(a) << ", b " << Handled(b) << " of " << total
            << "\n";

  ASSERT_OK_AND_ASSIGN(billing::State live, pipeline::LoadLiveState(*store_a));
  ASSERT_OK_AND_ASSIGN(pipeline::RebuildResult rebuilt,
                       pipeline::RebuildState(*store_a, PlansConfig()));
  EXPECT_EQ(rebuilt.events_replayed, total);
  std::vector<std::string> diff = pipeline::DiffStates(live, rebuilt.state);
  EXPECT_TRUE(diff.empty()) << diff.size() << " differ, first: " << diff.front();
  // Each instance's memory: what it applied plus what it followed of the other's work.
  for (Processor* p : {&a, &b}) {
    ASSERT_OK(p->RunOnce());  // nothing due: follows
    p->WithState([&](const billing::State& state) {
      EXPECT_TRUE(state == live) << pipeline::DiffStates(state, live).size() << " records differ";
    });
  }
}

TEST_F(ClusterTest, FailedWorkWritesNothingAndLeavesTheEventsDue) {
  auto store = Open();
  ASSERT_TRUE(store);
  std::vector<std::string> lines = AllLifecycleLines();
  ASSERT_OK(store->InsertEvent(ToNewEvent(lines[0])));
  ASSERT_OK(store->InsertEvent(ToNewEvent(lines[1])));
  store::ClusterWork failing =
      [](std::vector<store::RecordChange>,
         std::vector<store::StoredEvent> due) -> util::StatusOr<store::ProcessingCommit> {
    EXPECT_EQ(due.size(), 1u);
    return util::InternalError("work failed");
  };
  EXPECT_STATUS_CODE(store->ProcessDueInCluster(clock_.NowUnixMicros(), 1, 0, failing), kInternal);
  ASSERT_OK_AND_ASSIGN(auto due, store->DueEvents(clock_.NowUnixMicros(), 10));
  EXPECT_EQ(due.size(), 2u);
  EXPECT_STATUS_CODE(store->ProcessDueInCluster(clock_.NowUnixMicros(), 0, 0, failing),
                     kInvalidArgument);

  // A round that writes: the returned rev is where the table stands, the changes come back.
  store::ClusterWork writing =
      [](std::vector<store::RecordChange> changes,
         std::vector<store::StoredEvent> due) -> util::StatusOr<store::ProcessingCommit> {
    EXPECT_TRUE(changes.empty());
    store::ProcessingCommit commit;
    commit.records.push_back({"customers", "cus_x", R"({"id":"cus_x"})"});
    for (const auto& stored : due) {
      commit.events.push_back({stored.event.id, store::EventStatus::kProcessed, 1, {}, {}, 1});
    }
    return commit;
  };
  ASSERT_OK_AND_ASSIGN(store::ClusterRound round,
                       store->ProcessDueInCluster(clock_.NowUnixMicros(), 10, 0, writing));
  EXPECT_EQ(round.events, 2);
  ASSERT_OK_AND_ASSIGN(int64_t latest, store->LatestRecordRev());
  EXPECT_EQ(round.rev, latest);
  EXPECT_GT(latest, 0);
  ASSERT_OK_AND_ASSIGN(auto changes, store->RecordChangesSince(0, 10));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].rev, latest);
  ASSERT_OK_AND_ASSIGN(changes, store->RecordChangesSince(latest, 10));
  EXPECT_TRUE(changes.empty());
  ASSERT_OK_AND_ASSIGN(due, store->DueEvents(clock_.NowUnixMicros(), 10));
  EXPECT_TRUE(due.empty());
}

// The probe before a round reads without the cluster lock, so an idle instance never waits for
// another instance's round. After a round that found events, the next round goes straight to the
// lock without probing (under load the probe cost PostgreSQL more than the round's claim); the
// first round that finds nothing turns the probe back on.
TEST_F(ClusterTest, AnIdleInstanceProbesWithoutTheLockABusyOneGoesStraightToItsRound) {
  auto store = Open();
  ASSERT_TRUE(store);
  Processor processor(store.get(), &clock_, PlansConfig(), SmallBatches());
  ASSERT_OK(processor.LoadState());
  std::vector<std::string> lines = AllLifecycleLines();
  for (int i = 0; i < 3; ++i) ASSERT_OK(store->InsertEvent(ToNewEvent(lines[i])));
  ASSERT_OK_AND_ASSIGN(int handled, processor.RunOnce());
  ASSERT_EQ(handled, 3);

  // Another session holds the processing lock, as another instance's round would.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<store::postgres::PgConnection> holder,
                       store::postgres::PgConnection::Connect({.url = url_}));
  const std::string key = std::to_string(store::postgres::kProcessingLockKey);
  ASSERT_OK(holder->Exec("SELECT pg_advisory_lock(" + key + ")"));
  auto after_busy = std::async(std::launch::async, [&] { return processor.RunOnce(); });
  EXPECT_EQ(after_busy.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "after a busy round the next round must not probe first";
  ASSERT_OK(holder->Exec("SELECT pg_advisory_unlock(" + key + ")"));
  ASSERT_OK_AND_ASSIGN(handled, after_busy.get());
  EXPECT_EQ(handled, 0);

  // That round found nothing: the instance is idle and probes again, so it does not wait.
  ASSERT_OK(holder->Exec("SELECT pg_advisory_lock(" + key + ")"));
  auto idle = std::async(std::launch::async, [&] { return processor.RunOnce(); });
  ASSERT_EQ(idle.wait_for(std::chrono::seconds(20)), std::future_status::ready)
      << "an idle instance waited for the cluster lock";
  ASSERT_OK_AND_ASSIGN(handled, idle.get());
  EXPECT_EQ(handled, 0);
  ASSERT_OK(holder->Exec("SELECT pg_advisory_unlock(" + key + ")"));
}

}  // namespace
}  // namespace stripehook::cluster_test
