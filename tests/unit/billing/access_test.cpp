// Access policy at its edges (DESIGN.md §2), on synthetic events.

#include <gtest/gtest.h>

#include "billing/access.h"
#include "billing/apply.h"
#include "billing_test_util.h"

namespace stripehook::billing {
namespace {

using testing::ApplyAndCommit;
using testing::ChargeObject;
using testing::CorpusConfig;
using testing::CustomerObject;
using testing::DisputeObject;
using testing::MakeEvent;
using testing::SubscriptionObject;

constexpr int64_t kStart = 1'800'000'000;
constexpr int64_t kPeriodEnd = kStart + 30 * 86400;
constexpr int64_t kGrace = 259200;

class AccessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Deliver("evt_cus", "customer.created", kStart, CustomerObject("cus_1", "user_1"));
    DeliverSubscription("evt_sub0", "customer.subscription.created", kStart, "active");
  }
  Outcome Deliver(const std::string& id, const std::string& type, int64_t created,
                  boost::json::object object) {
    return ApplyAndCommit(MakeEvent(id, type, created, std::move(object)), state_, config_);
  }
  void DeliverSubscription(const std::string& id, const std::string& type, int64_t created,
                           const std::string& status, bool cancel_at_period_end = false) {
    auto object = SubscriptionObject("sub_1", "cus_1", status, "price_pro", kStart, kPeriodEnd);
    object["cancel_at_period_end"] = cancel_at_period_end;
    Deliver(id, type, created, std::move(object));
  }
  AccessDecision At(int64_t now) { return Access("user_1", state_, now, config_); }

  Config config_ = CorpusConfig();
  State state_;
};

TEST_F(AccessTest, ActiveGrantsWithPlanFeaturesAndLimits) {
  AccessDecision d = At(kStart + 10);
  EXPECT_TRUE(d.access);
  EXPECT_EQ(d.reason, "active");
  EXPECT_EQ(d.plan, "pro");
  EXPECT_EQ(d.status, "active");
  EXPECT_EQ(d.features, std::vector<std::string>{"export"});
  EXPECT_EQ(d.limits.at("seats"), 5);
  EXPECT_EQ(d.as_of, kStart + 10);
  EXPECT_EQ(d.grace_until, std::nullopt);
}

TEST_F(AccessTest, UnknownUserHasNoSubscription) {
  AccessDecision d = Access("nobody", state_, kStart, config_);
  EXPECT_FALSE(d.access);
  EXPECT_EQ(d.reason, "no subscription");
  EXPECT_EQ(d.status, std::nullopt);
  EXPECT_EQ(d.plan, std::nullopt);
}

TEST_F(AccessTest, GraceEndsInclusiveAtExactSecond) {
  const int64_t past_due_at = kStart + 1000;
  DeliverSubscription("evt_pd", "customer.subscription.updated", past_due_at, "past_due");
  const int64_t end = past_due_at + kGrace;
  AccessDecision before = At(end - 1);
  EXPECT_TRUE(before.access);
  EXPECT_EQ(before.reason, "past_due: in grace period until " + std::to_string(end));
  EXPECT_EQ(before.grace_until, end);
  AccessDecision exact = At(end);
  EXPECT_TRUE(exact.access);
  EXPECT_EQ(exact.grace_until, end);
  AccessDecision after = At(end + 1);
  EXPECT_FALSE(after.access);
  EXPECT_EQ(after.reason, "past_due: grace period over");
  EXPECT_EQ(after.grace_until, end);
  EXPECT_TRUE(after.features.empty());
}

TEST_F(AccessTest, GraceCountsFromFirstPastDueWhateverTheDeliveryOrder) {
  DeliverSubscription("evt_pd2", "customer.subscription.updated", kStart + 2000, "past_due");
  DeliverSubscription("evt_pd1", "customer.subscription.updated", kStart + 1000, "past_due");
  EXPECT_EQ(At(kStart + 3000).grace_until, kStart + 1000 + kGrace);
}

TEST_F(AccessTest, NewPastDueEpisodeRestartsGrace) {
  DeliverSubscription("evt_pd3", "customer.subscription.updated", kStart + 3000, "past_due");
  DeliverSubscription("evt_pd1", "customer.subscription.updated", kStart + 1000, "past_due");
  DeliverSubscription("evt_act", "customer.subscription.updated", kStart + 2000, "active");
  EXPECT_EQ(At(kStart + 3000).grace_until, kStart + 3000 + kGrace);
}

TEST_F(AccessTest, GraceLengthIsConfigurable) {
  config_.access.grace_seconds = 60;
  DeliverSubscription("evt_pd", "customer.subscription.updated", kStart + 1000, "past_due");
  EXPECT_TRUE(At(kStart + 1060).access);
  EXPECT_FALSE(At(kStart + 1061).access);
}

TEST_F(AccessTest, CancelAtPeriodEndKeepsAccessUntilPeriodEnd) {
  DeliverSubscription("evt_cpe", "customer.subscription.updated", kStart + 100, "active", true);
  AccessDecision before = At(kPeriodEnd - 1);
  EXPECT_TRUE(before.access);
  EXPECT_EQ(before.reason, "active");
  AccessDecision after = At(kPeriodEnd);
  EXPECT_FALSE(after.access);
  EXPECT_EQ(after.reason, "canceled: period ended");
  EXPECT_EQ(after.status, "active");
}

TEST_F(AccessTest, CanceledDoesNotGrant) {
  DeliverSubscription("evt_del", "customer.subscription.deleted", kStart + 100, "canceled");
  AccessDecision d = At(kStart + 100);
  EXPECT_FALSE(d.access);
  EXPECT_EQ(d.reason, "canceled");
}

TEST_F(AccessTest, GrantingStatusesAreConfigurable) {
  config_.access.granting_statuses = {"active"};
  DeliverSubscription("evt_tr", "customer.subscription.updated", kStart + 1, "trialing");
  EXPECT_FALSE(At(kStart + 2).access);
  EXPECT_EQ(At(kStart + 2).reason, "trialing");
}

TEST_F(AccessTest, DisputeRevokesAndWonDisputeRestores) {
  Deliver("evt_ch", "charge.succeeded", kStart + 1, ChargeObject("ch_1", "cus_1", 8900, 0, kStart));
  Deliver("evt_dp1", "charge.dispute.created", kStart + 10,
          DisputeObject("dp_1", "ch_1", "needs_response"));
  EXPECT_FALSE(At(kStart + 10).access);
  EXPECT_EQ(At(kStart + 10).reason, "revoked: open dispute");
  Deliver("evt_dp2", "charge.dispute.closed", kStart + 20, DisputeObject("dp_1", "ch_1", "won"));
  EXPECT_TRUE(At(kStart + 20).access);
  EXPECT_EQ(At(kStart + 20).reason, "active");
}

TEST_F(AccessTest, DisputeOnPaymentIntentWithoutChargeRevokes) {
  Deliver("evt_pi", "payment_intent.succeeded", kStart + 1,
          {{"id", "pi_7"},
           {"object", "payment_intent"},
           {"customer", "cus_1"},
           {"status", "succeeded"},
           {"amount", 8900},
           {"created", kStart}});
  auto dispute = DisputeObject("dp_7", "ch_unknown", "needs_response");
  dispute["payment_intent"] = "pi_7";
  Deliver("evt_dp", "charge.dispute.created", kStart + 10, std::move(dispute));
  EXPECT_EQ(At(kStart + 10).reason, "revoked: open dispute");
}

TEST_F(AccessTest, LostDisputeRevokesUntilLaterPayment) {
  Deliver("evt_ch", "charge.succeeded", kStart + 1, ChargeObject("ch_1", "cus_1", 8900, 0, kStart));
  Deliver("evt_dp", "charge.dispute.closed", kStart + 10, DisputeObject("dp_1", "ch_1", "lost"));
  EXPECT_EQ(At(kStart + 10).reason, "revoked: dispute lost");
  Deliver("evt_ch2", "charge.succeeded", kStart + 30,
          ChargeObject("ch_2", "cus_1", 8900, 0, kStart + 30));
  EXPECT_TRUE(At(kStart + 30).access);
}

TEST_F(AccessTest, DisputeDoesNotRevokeWhenDisabled) {
  config_.access.revoke_on_dispute = false;
  Deliver("evt_ch", "charge.succeeded", kStart + 1, ChargeObject("ch_1", "cus_1", 8900, 0, kStart));
  Deliver("evt_dp", "charge.dispute.created", kStart + 10,
          DisputeObject("dp_1", "ch_1", "needs_response"));
  EXPECT_TRUE(At(kStart + 10).access);
}

TEST_F(AccessTest, FullRefundRevokesAndLaterPaymentRestores) {
  Deliver("evt_ch", "charge.refunded", kStart + 10,
          ChargeObject("ch_1", "cus_1", 8900, 8900, kStart));
  AccessDecision revoked = At(kStart + 10);
  EXPECT_FALSE(revoked.access);
  EXPECT_EQ(revoked.reason, "revoked: full refund");
  EXPECT_EQ(revoked.status, "active");
  Deliver("evt_ch2", "charge.succeeded", kStart + 50,
          ChargeObject("ch_2", "cus_1", 8900, 0, kStart + 50));
  EXPECT_TRUE(At(kStart + 50).access);
  EXPECT_EQ(At(kStart + 50).reason, "active");
}

TEST_F(AccessTest, LaterPaidInvoiceAlsoRestoresAfterFullRefund) {
  Deliver("evt_ch", "charge.refunded", kStart + 10,
          ChargeObject("ch_1", "cus_1", 8900, 8900, kStart));
  auto invoice = testing::InvoiceObject("in_2", "cus_1", "sub_1", "paid", 1);
  invoice["status_transitions"] = boost::json::object{{"paid_at", kStart + 40}};
  Deliver("evt_inv", "invoice.paid", kStart + 40, std::move(invoice));
  EXPECT_TRUE(At(kStart + 40).access);
}

TEST_F(AccessTest, FullRefundSeenOnlyThroughRefundObjectRevokes) {
  Deliver("evt_ch", "charge.succeeded", kStart + 1, ChargeObject("ch_1", "cus_1", 8900, 0, kStart));
  Deliver("evt_re", "refund.created", kStart + 10,
          {{"id", "re_1"},
           {"object", "refund"},
           {"charge", "ch_1"},
           {"amount", 8900},
           {"status", "succeeded"},
           {"created", kStart + 10}});
  EXPECT_EQ(At(kStart + 10).reason, "revoked: full refund");
}

TEST_F(AccessTest, FullRefundDoesNotRevokeWhenDisabled) {
  config_.access.revoke_on_full_refund = false;
  Deliver("evt_ch", "charge.refunded", kStart + 10,
          ChargeObject("ch_1", "cus_1", 8900, 8900, kStart));
  EXPECT_TRUE(At(kStart + 10).access);
}

TEST_F(AccessTest, PartialRefundChangesNothing) {
  AccessDecision before = At(kStart + 10);
  Deliver("evt_ch", "charge.refunded", kStart + 10,
          ChargeObject("ch_1", "cus_1", 8900, 4450, kStart));
  EXPECT_EQ(At(kStart + 10), before);
}

TEST_F(AccessTest, DeletedCustomerHasNoAccess) {
  Deliver("evt_cdel", "customer.deleted", kStart + 10, CustomerObject("cus_1", "user_1"));
  AccessDecision d = At(kStart + 10);
  EXPECT_FALSE(d.access);
  EXPECT_EQ(d.reason, "customer deleted");
}

TEST_F(AccessTest, PriceNoPlanNamesStillGrantsWithNullPlan) {
  Deliver("evt_sub", "customer.subscription.updated", kStart + 5,
          SubscriptionObject("sub_1", "cus_1", "active", "price_legacy", kStart, kPeriodEnd));
  AccessDecision d = At(kStart + 5);
  EXPECT_TRUE(d.access);
  EXPECT_EQ(d.plan, std::nullopt);
  EXPECT_EQ(d.price, "price_legacy");
}

// A user with two customers: the subscriptions of both are candidates, the tie between two equally
// good ones goes to the greater id, and the first revoking charge in customer order names the
// reason. (Access walks the customers as views into the state; these pin what it decides.)
TEST_F(AccessTest, SubscriptionsAndChargesOfEveryCustomerOfTheUserCount) {
  Deliver("evt_cus2", "customer.created", kStart, CustomerObject("cus_2", "user_1"));
  Deliver("evt_sub2", "customer.subscription.created", kStart,
          SubscriptionObject("sub_2", "cus_2", "active", "price_team", kStart, kPeriodEnd));
  AccessDecision d = At(kStart + 5);
  EXPECT_TRUE(d.access);
  EXPECT_EQ(d.subscription_id, "sub_2");  // same tier and created as sub_1: the greater id
  EXPECT_EQ(d.plan, "team");

  DeliverSubscription("evt_sub0c", "customer.subscription.updated", kStart + 6, "canceled");
  Deliver("evt_sub2c", "customer.subscription.updated", kStart + 6,
          SubscriptionObject("sub_2", "cus_2", "past_due", "price_team", kStart, kPeriodEnd));
  EXPECT_EQ(At(kStart + 7).subscription_id, "sub_2");  // past_due beats canceled
  Deliver("evt_sub2a", "customer.subscription.updated", kStart + 8,
          SubscriptionObject("sub_2", "cus_2", "active", "price_team", kStart, kPeriodEnd));

  Deliver("evt_ch2", "charge.dispute.closed", kStart + 9, DisputeObject("dp_2", "ch_2", "lost"));
  Deliver("evt_ch2c", "charge.succeeded", kStart + 9,
          ChargeObject("ch_2", "cus_2", 8900, 0, kStart + 1));
  EXPECT_EQ(At(kStart + 9).reason, "revoked: dispute lost");
  Deliver("evt_ch1", "charge.refunded", kStart + 10,
          ChargeObject("ch_1", "cus_1", 8900, 8900, kStart + 2));
  EXPECT_EQ(At(kStart + 10).reason, "revoked: full refund");  // cus_1's charge comes first
}

// AccessJson writes the bytes boost::json would: compared on real decisions and on strings that
// need every kind of escape.
TEST_F(AccessTest, AccessJsonIsTheSerialisedToJson) {
  std::vector<AccessDecision> decisions = {At(kStart + 5), At(kStart - 1),
                                           Access("nobody", state_, kStart, config_)};
  DeliverSubscription("evt_pd", "customer.subscription.updated", kStart + 20, "past_due");
  decisions.push_back(At(kStart + 20));               // grace_until set, access
  decisions.push_back(At(kStart + 20 + kGrace + 1));  // grace over
  AccessDecision odd;
  odd.user_id = "q\"u\\o\b\f\n\r\t\x01\x1f\x7f caf\xc3\xa9 /";
  odd.plan = "p\"lan";
  odd.status = "";
  odd.access = true;
  odd.reason = std::string(1, '\0') + "x";
  odd.grace_until = -42;
  odd.features = {"a", "", "\"b\""};
  odd.limits = {{"z", -1}, {"a\n", 9'223'372'036'854'775'807}, {"m", 0}};
  odd.as_of = -9'223'372'036'854'775'807 - 1;
  decisions.push_back(odd);
  for (const AccessDecision& decision : decisions) {
    EXPECT_EQ(AccessJson(decision), boost::json::serialize(ToJson(decision)));
  }
}

TEST(AccessJsonTest, HasTheApplicationApiShape) {
  AccessDecision d;
  d.user_id = "u";
  d.reason = "no subscription";
  d.as_of = 5;
  boost::json::object json = ToJson(d);
  for (const char* key : {"user_id", "plan", "status", "access", "reason", "grace_until",
                          "features", "limits", "as_of"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_TRUE(json.at("plan").is_null());
  EXPECT_EQ(json.at("as_of").as_int64(), 5);
}

}  // namespace
}  // namespace stripehook::billing
