#include "reconcile/compare.h"

#include <boost/json.hpp>

#include "billing/stripe_objects.h"
#include "support/status_matchers.h"

namespace stripehook::reconcile {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kListedAt = 1'800'000'000;

boost::json::object StripeSubscription(const std::string& id, const std::string& status,
                                       const std::string& price = "price_pro") {
  return boost::json::parse(R"({"id":")" + id + R"(","object":"subscription","customer":"cus_1",
      "status":")" + status +
                            R"(","cancel_at_period_end":false,"created":1700000000,
      "metadata":{"user_id":"u1"},"latest_invoice":"in_1",
      "items":{"data":[{"id":"si_1","quantity":1,"current_period_start":1700000000,
      "current_period_end":1702592000,"price":{"id":")" +
                            price + R"(","product":"prod_1"}}]}})")
      .as_object();
}

boost::json::object StripeCustomer(const std::string& id, const std::string& email) {
  return boost::json::parse(R"({"id":")" + id + R"(","object":"customer","email":")" + email +
                            R"(","name":"A","created":1700000000,"metadata":{"user_id":"u1"}})")
      .as_object();
}

// The local record a webhook with this snapshot, created at `created`, would have left.
billing::Subscription Held(const boost::json::object& object, int64_t created) {
  billing::Subscription s = billing::SubscriptionFromStripe(object);
  s.snapshot = {created, 0, "evt_1"};
  return s;
}

billing::Customer HeldCustomer(const boost::json::object& object, int64_t created) {
  billing::Customer c = billing::CustomerFromStripe(object);
  c.snapshot = {created, 0, "evt_2"};
  return c;
}

TEST(CompareTest, AgreeingStateHasNoFindingsAndFullScore) {
  StripeListing listing{kListedAt,
                        {StripeSubscription("sub_a", "active")},
                        {StripeCustomer("cus_1", "a@example.com")}};
  billing::State local;
  local.Upsert(Held(listing.subscriptions[0], kListedAt - 100));
  local.Upsert(HeldCustomer(listing.customers[0], kListedAt - 100));
  Comparison c = Compare(listing, local);
  EXPECT_THAT(c.findings, IsEmpty());
  EXPECT_EQ(c.matching_subscriptions, 1);
  EXPECT_EQ(c.health_score, 100);
}

TEST(CompareTest, MissingStaleAndOrphanAreAllReported) {
  StripeListing listing{
      kListedAt,
      {StripeSubscription("sub_missing", "active"), StripeSubscription("sub_stale", "past_due"),
       StripeSubscription("sub_ok", "active")},
      {}};
  billing::State local;
  local.Upsert(Held(StripeSubscription("sub_stale", "active"), kListedAt - 60));
  local.Upsert(Held(listing.subscriptions[2], kListedAt - 60));
  local.Upsert(Held(StripeSubscription("sub_orphan", "active"), kListedAt - 60));

  Comparison c = Compare(listing, local);
  ASSERT_EQ(c.findings.size(), 3u);
  EXPECT_EQ(c.findings[0].kind, FindingKind::kMissing);
  EXPECT_EQ(c.findings[0].id, "sub_missing");
  ASSERT_TRUE(c.findings[0].snapshot.has_value());
  EXPECT_EQ(c.findings[1].kind, FindingKind::kOrphaned);
  EXPECT_EQ(c.findings[1].id, "sub_orphan");
  EXPECT_FALSE(c.findings[1].snapshot.has_value());
  EXPECT_EQ(c.findings[2].kind, FindingKind::kMismatched);
  EXPECT_EQ(c.findings[2].id, "sub_stale");
  EXPECT_THAT(c.findings[2].differences, ElementsAre("status: local active, stripe past_due"));
  EXPECT_EQ(c.stripe_subscriptions, 3);
  EXPECT_EQ(c.local_subscriptions, 3);
  EXPECT_EQ(c.matching_subscriptions, 1);
  // 1 matching out of 3 listed + 1 orphan.
  EXPECT_EQ(c.health_score, 25);
  EXPECT_EQ(c.Count(FindingKind::kMissing), 1);
  EXPECT_EQ(c.Count(FindingKind::kMismatched), 1);
  EXPECT_EQ(c.Count(FindingKind::kOrphaned), 1);
}

TEST(CompareTest, LocalSnapshotNewerThanTheListingIsNotCompared) {
  StripeListing listing{kListedAt, {StripeSubscription("sub_a", "active")}, {}};
  billing::State local;
  // A webhook created in the listing's second already moved it on: the listing may be older.
  local.Upsert(Held(StripeSubscription("sub_a", "canceled"), kListedAt));
  Comparison c = Compare(listing, local);
  EXPECT_THAT(c.findings, IsEmpty());
  EXPECT_EQ(c.skipped_newer, 1);
  EXPECT_EQ(c.health_score, 100);
}

TEST(CompareTest, PriceChangeIsAMismatchNamingTheItems) {
  StripeListing listing{kListedAt, {StripeSubscription("sub_a", "active", "price_max")}, {}};
  billing::State local;
  local.Upsert(Held(StripeSubscription("sub_a", "active", "price_pro"), kListedAt - 1));
  Comparison c = Compare(listing, local);
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_THAT(c.findings[0].differences,
              ElementsAre("items: local price_prox1@1702592000, stripe price_maxx1@1702592000"));
  EXPECT_EQ(c.health_score, 0);
}

TEST(CompareTest, CustomersMissingMismatchedAndOrphanedButDeletedIsNoOrphan) {
  boost::json::object deleted_at_stripe =
      boost::json::parse(R"({"id":"cus_gone","object":"customer","deleted":true})").as_object();
  StripeListing listing{kListedAt,
                        {},
                        {StripeCustomer("cus_new", "n@example.com"),
                         StripeCustomer("cus_changed", "new@example.com"), deleted_at_stripe}};
  billing::State local;
  local.Upsert(HeldCustomer(StripeCustomer("cus_changed", "old@example.com"), kListedAt - 5));
  local.Upsert(HeldCustomer(StripeCustomer("cus_orphan", "o@example.com"), kListedAt - 5));
  billing::Customer gone = HeldCustomer(StripeCustomer("cus_gone", "g@example.com"), 1);
  gone.deleted_at = 1;
  local.Upsert(gone);

  Comparison c = Compare(listing, local);
  ASSERT_EQ(c.findings.size(), 3u);
  EXPECT_EQ(c.findings[0].id, "cus_changed");
  EXPECT_EQ(c.findings[0].kind, FindingKind::kMismatched);
  EXPECT_THAT(c.findings[0].differences,
              ElementsAre("email: local old@example.com, stripe new@example.com"));
  EXPECT_EQ(c.findings[1].id, "cus_new");
  EXPECT_EQ(c.findings[1].kind, FindingKind::kMissing);
  EXPECT_EQ(c.findings[2].id, "cus_orphan");
  EXPECT_EQ(c.findings[2].kind, FindingKind::kOrphaned);
  EXPECT_EQ(c.stripe_customers, 2);
  EXPECT_EQ(c.health_score, 100);  // the score covers subscriptions only
}

TEST(CompareTest, ScopeToCustomersKeepsTheirSubscriptionsOnly) {
  billing::State local;
  local.Upsert(HeldCustomer(StripeCustomer("cus_1", "a@example.com"), 1));
  local.Upsert(Held(StripeSubscription("sub_a", "active"), 1));
  boost::json::object other = StripeSubscription("sub_b", "active");
  other["customer"] = "cus_2";
  local.Upsert(Held(other, 1));
  billing::State scoped = ScopeToCustomers(local, {"cus_1"});
  EXPECT_EQ(scoped.record_count(), 2u);
  EXPECT_NE(scoped.Find<billing::Subscription>("sub_a"), nullptr);
  EXPECT_EQ(scoped.Find<billing::Subscription>("sub_b"), nullptr);
}

TEST(CompareTest, JsonCarriesCountsAndFindings) {
  StripeListing listing{kListedAt, {StripeSubscription("sub_a", "active")}, {}};
  boost::json::object json = ToJson(Compare(listing, billing::State()));
  EXPECT_EQ(json.at("missing").as_int64(), 1);
  EXPECT_EQ(json.at("health_score").as_int64(), 0);
  EXPECT_EQ(json.at("findings").as_array()[0].as_object().at("kind").as_string(), "missing");
}

}  // namespace
}  // namespace stripehook::reconcile
