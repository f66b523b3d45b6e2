// Following and leadership across instances on one PostgreSQL database: an idle instance sees
// what another one committed (a deletion included) within a bounded poll, and a named leadership
// lock is held by one instance and passes on when its session dies.
#include "billing/model.h"
#include "cluster_harness.h"
#include "pipeline/processor.h"
#include "pipeline/rebuild.h"

namespace stripehook::cluster_test {
namespace {

using pipeline::Processor;

bool HasCustomer(const Processor& p, const std::string& id) {
  bool found = false;
  p.WithState(
      [&](const billing::State& state) { found = state.Find<billing::Customer>(id) != nullptr; });
  return found;
}

TEST_F(ClusterTest, AnIdleInstanceFollowsAnotherOnesChangesAndDeletions) {
  auto store_a = Open();
  auto store_b = Open();
  ASSERT_TRUE(store_a && store_b);
  Processor a(store_a.get(), &clock_, PlansConfig(), {});
  Processor follower(store_b.get(), &clock_, PlansConfig(), {});
  ASSERT_OK(a.LoadState());
  ASSERT_OK(follower.LoadState());

  std::vector<std::string> lines = AllLifecycleLines();
  const std::string customer_line = lines[0];  // a customer.created
  store::NewEvent created = ToNewEvent(customer_line);
  ASSERT_EQ(created.object_type, "customer");
  ASSERT_OK(store_a->InsertEvent(created));
  ASSERT_OK_AND_ASSIGN(int handled, a.RunOnce());
  EXPECT_EQ(handled, 1);
  ASSERT_TRUE(HasCustomer(a, created.object_id));
  EXPECT_FALSE(HasCustomer(follower, created.object_id));
  // Started only now, so that the event was a's to process: nothing is ever due for the
  // follower, it only follows.
  follower.Start();
  EXPECT_TRUE(Eventually([&] { return HasCustomer(follower, created.object_id); }));

  // A deletion is a tombstone: readers skip it, followers erase the record.
  ASSERT_OK_AND_ASSIGN(int64_t rev_before, store_a->LatestRecordRev());
  store::ProcessingCommit erase;
  erase.records.push_back({"customers", created.object_id, std::nullopt});
  ASSERT_OK(store_a->CommitProcessing(erase));
  ASSERT_OK_AND_ASSIGN(std::optional<store::RecordRow> gone,
                       store_b->GetRecord("customers", created.object_id));
  EXPECT_FALSE(gone.has_value());
  ASSERT_OK_AND_ASSIGN(auto changes, store_b->RecordChangesSince(rev_before, 10));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].doc.has_value());
  EXPECT_GT(changes[0].rev, rev_before);
  EXPECT_TRUE(Eventually([&] { return !HasCustomer(follower, created.object_id); }));
  follower.Stop();

  ASSERT_OK_AND_ASSIGN(billing::State live, pipeline::LoadLiveState(*store_b));
  EXPECT_EQ(live.Find<billing::Customer>(created.object_id), nullptr);
  follower.WithState([&](const billing::State& state) { EXPECT_TRUE(state == live); });
  // A new instance starting now loads the same state, standing at the latest rev.
  Processor late(store_b.get(), &clock_, PlansConfig(), {});
  ASSERT_OK(late.LoadState());
  late.WithState([&](const billing::State& state) { EXPECT_TRUE(state == live); });
}

// The advisory locks held in the test's database (leadership; no processing round runs here).
constexpr char kHeldLocks[] =
    "FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
    "database = (SELECT oid FROM pg_database WHERE datname = current_database())";

// Ends every session holding one (the leader's), as when its instance is killed.
void KillLeaderSessions(const std::string& url) {
  ASSERT_EQ(stripehook::testing::PostgresCluster::Execute(
                url, std::string("SELECT pg_terminate_backend(pid) ") + kHeldLocks),
            "");
}

TEST_F(ClusterTest, LeadershipIsHeldByOneInstanceAndMovesWhenItsSessionDies) {
  auto store_a = Open();
  auto store_b = Open();
  ASSERT_TRUE(store_a && store_b);
  ASSERT_OK_AND_ASSIGN(bool a_leads, store_a->HoldLeadership("scheduler"));
  EXPECT_TRUE(a_leads);
  ASSERT_OK_AND_ASSIGN(bool b_leads, store_b->HoldLeadership("scheduler"));
  EXPECT_FALSE(b_leads);
  ASSERT_OK_AND_ASSIGN(a_leads, store_a->HoldLeadership("scheduler"));  // still held
  EXPECT_TRUE(a_leads);
  EXPECT_EQ(QueryInt(std::string("SELECT count(*) ") + kHeldLocks), 1)
      << "asking again must not stack the lock";

  // The leader's session dies (as when its instance is killed): another instance takes over,
  // and the old leader, asked again, knows it no longer leads.
  KillLeaderSessions(url_);
  EXPECT_TRUE(Eventually([&] {
    util::StatusOr<bool> leads = store_b->HoldLeadership("scheduler");
    return leads.ok() && *leads;
  }));
  ASSERT_OK_AND_ASSIGN(a_leads, store_a->HoldLeadership("scheduler"));
  EXPECT_FALSE(a_leads);

  // The leading instance goes away: the other one takes over.
  store_b.reset();
  EXPECT_TRUE(Eventually([&] {
    util::StatusOr<bool> leads = store_a->HoldLeadership("scheduler");
    return leads.ok() && *leads;
  }));
  // Names are independent; after Shutdown a store leads nothing.
  auto store_c = Open();
  ASSERT_TRUE(store_c);
  ASSERT_OK_AND_ASSIGN(bool c_leads, store_c->HoldLeadership("outbox"));
  EXPECT_TRUE(c_leads);
  store_a->Shutdown();
  EXPECT_STATUS_CODE(store_a->HoldLeadership("scheduler"), kUnavailable);
  EXPECT_TRUE(Eventually([&] {
    util::StatusOr<bool> leads = store_c->HoldLeadership("scheduler");
    return leads.ok() && *leads;
  }));
}

}  // namespace
}  // namespace stripehook::cluster_test
