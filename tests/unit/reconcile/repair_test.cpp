#include "reconcile/repair.h"

#include <boost/json.hpp>

#include "billing/apply.h"
#include "billing/event.h"
#include "billing/ordering.h"
#include "support/status_matchers.h"

namespace stripehook::reconcile {
namespace {

constexpr int64_t kListedAt = 1'800'000'000;

Finding MissingSubscription(const std::string& status) {
  Finding f;
  f.kind = FindingKind::kMissing;
  f.table = "subscriptions";
  f.id = "sub_a";
  f.snapshot = boost::json::parse(R"({"id":"sub_a","object":"subscription","customer":"cus_1",
      "status":")" + status + R"(","created":1700000000,"items":{"data":[]}})")
                   .as_object();
  return f;
}

TEST(RepairTest, EventCarriesTheSnapshotMarkedAsARepair) {
  ASSERT_OK_AND_ASSIGN(store::NewEvent event,
                       RepairEvent(MissingSubscription("active"), kListedAt));
  EXPECT_EQ(event.id, "evt_reconcile_1800000000_sub_a");
  EXPECT_EQ(event.source, "reconcile");
  EXPECT_EQ(event.type, "customer.subscription.updated");
  EXPECT_EQ(event.created, kListedAt);
  EXPECT_EQ(event.object_id, "sub_a");
  ASSERT_OK_AND_ASSIGN(billing::Event parsed, billing::ParseEvent(event.payload));
  EXPECT_EQ(parsed.object_id, "sub_a");
  EXPECT_EQ(parsed.object.at("status").as_string(), "active");
  boost::json::object envelope = boost::json::parse(event.payload).as_object();
  EXPECT_EQ(envelope.at("stripehook_repair").at("reason").as_string(), "missing");
}

TEST(RepairTest, OrphanCannotBeRepaired) {
  Finding orphan;
  orphan.kind = FindingKind::kOrphaned;
  orphan.table = "subscriptions";
  orphan.id = "sub_x";
  EXPECT_STATUS_CODE(RepairEvent(orphan, kListedAt), kInvalidArgument);
}

// Through the real apply: the repair supersedes a snapshot from an earlier second and loses to a
// webhook created after the listing.
TEST(RepairTest, OrderingRuleTreatsTheRepairAsOfTheListingSecond) {
  billing::Config config;
  billing::State state;
  ASSERT_OK_AND_ASSIGN(store::NewEvent old_event,
                       RepairEvent(MissingSubscription("active"), kListedAt - 10));
  ASSERT_OK_AND_ASSIGN(billing::Event old_parsed, billing::ParseEvent(old_event.payload));
  billing::Commit(state, billing::Apply(old_parsed, state, config));

  ASSERT_OK_AND_ASSIGN(store::NewEvent repair,
                       RepairEvent(MissingSubscription("past_due"), kListedAt));
  ASSERT_OK_AND_ASSIGN(billing::Event parsed, billing::ParseEvent(repair.payload));
  billing::ApplyResult applied = billing::Apply(parsed, state, config);
  EXPECT_EQ(applied.outcome, billing::Outcome::kApplied);
  billing::Commit(state, applied);
  EXPECT_EQ(state.Find<billing::Subscription>("sub_a")->status, "past_due");

  billing::Event later = parsed;
  later.id = "evt_1Later";
  later.created = kListedAt + 1;
  later.object["status"] = "active";
  EXPECT_EQ(billing::Apply(later, state, config).outcome, billing::Outcome::kApplied);
  billing::Event earlier = parsed;
  earlier.id = "evt_1Earlier";
  earlier.created = kListedAt - 1;
  EXPECT_EQ(billing::Apply(earlier, state, config).outcome, billing::Outcome::kStale);
}

TEST(RepairTest, CustomerRepairIsACustomerUpdated) {
  Finding f;
  f.kind = FindingKind::kMismatched;
  f.table = "customers";
  f.id = "cus_1";
  f.snapshot =
      boost::json::parse(R"({"id":"cus_1","object":"customer","livemode":true})").as_object();
  ASSERT_OK_AND_ASSIGN(store::NewEvent event, RepairEvent(f, kListedAt));
  EXPECT_EQ(event.type, "customer.updated");
  EXPECT_TRUE(event.livemode);
}

}  // namespace
}  // namespace stripehook::reconcile
