// Apply: outcomes, ordering ties, stale events, plan changes, purchases, notifications.

#include <algorithm>

#include <gtest/gtest.h>

#include "billing/access.h"
#include "billing/apply.h"
#include "billing_test_util.h"
#include "support/status_matchers.h"

namespace stripehook::billing {
namespace {

using testing::ApplyAndCommit;
using testing::CorpusConfig;
using testing::CustomerObject;
using testing::InvoiceObject;
using testing::MakeEvent;
using testing::SubscriptionObject;

constexpr int64_t kT = 1'800'000'000;

const Notification* FindNotification(const ApplyResult& result, const std::string& type) {
  auto it = std::find_if(result.notifications.begin(), result.notifications.end(),
                         [&](const Notification& n) { return n.type == type; });
  return it == result.notifications.end() ? nullptr : &*it;
}

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Commit(Event("evt_cus", "customer.created", kT, CustomerObject("cus_1", "user_1")));
    Commit(Event("evt_sub", "customer.subscription.created", kT + 1, Sub("active", "price_team")));
  }
  static boost::json::object Sub(const std::string& status, const std::string& price) {
    return SubscriptionObject("sub_1", "cus_1", status, price, kT, kT + 30 * 86400);
  }
  static billing::Event Event(const std::string& id, const std::string& type, int64_t created,
                              boost::json::object object) {
    return MakeEvent(id, type, created, std::move(object));
  }
  ApplyResult Commit(const billing::Event& event) {
    ApplyResult result = Apply(event, state_, config_);
    billing::Commit(state_, result);
    return result;
  }
  Config config_ = CorpusConfig();
  State state_;
};

TEST_F(ApplyTest, UnknownEventTypeIsIgnoredNotAnError) {
  ApplyResult result = Commit(Event("evt_x", "issuing_card.created", kT, {{"id", "ic_1"}}));
  EXPECT_EQ(result.outcome, Outcome::kIgnored);
  EXPECT_TRUE(result.changes.empty());
  EXPECT_EQ(OutcomeName(result.outcome), "ignored");
}

TEST_F(ApplyTest, KnownTypeWithWrongObjectIsAnError) {
  ApplyResult result =
      Commit(Event("evt_x", "invoice.paid", kT, {{"id", "ch_1"}, {"object", "charge"}}));
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_NE(result.error.find("expected 'invoice'"), std::string::npos) << result.error;
  EXPECT_TRUE(result.changes.empty());
}

TEST_F(ApplyTest, KnownTypeWithoutStateIsAppliedWithoutChanges) {
  ApplyResult result = Commit(Event("evt_pm", "payment_method.attached", kT,
                                    {{"id", "pm_1"}, {"object", "payment_method"}}));
  EXPECT_EQ(result.outcome, Outcome::kApplied);
  EXPECT_TRUE(result.changes.empty());
}

TEST_F(ApplyTest, LatePaymentFailedAfterPaidIsStaleAndDoesNotRegress) {
  Commit(Event("evt_paid", "invoice.paid", kT + 100,
               InvoiceObject("in_1", "cus_1", "sub_1", "paid", 1)));
  ApplyResult late = Commit(Event("evt_failed", "invoice.payment_failed", kT + 50,
                                  InvoiceObject("in_1", "cus_1", "sub_1", "open", 1)));
  EXPECT_EQ(late.outcome, Outcome::kStale);
  EXPECT_TRUE(late.changes.empty());
  EXPECT_TRUE(late.notifications.empty());
  EXPECT_EQ(state_.Find<Invoice>("in_1")->status, "paid");
  EXPECT_EQ(state_.Find<Invoice>("in_1")->snapshot.event_id, "evt_paid");
  EXPECT_TRUE(Access("user_1", state_, kT + 100, config_).access);
}

TEST_F(ApplyTest, DuplicateDeliveryIsStaleAndChangesNothing) {
  auto event = Event("evt_paid", "invoice.paid", kT + 100,
                     InvoiceObject("in_1", "cus_1", "sub_1", "paid", 1));
  EXPECT_EQ(Commit(event).outcome, Outcome::kApplied);
  ApplyResult again = Commit(event);
  EXPECT_EQ(again.outcome, Outcome::kStale);
  EXPECT_TRUE(again.changes.empty());
}

// Ties inside one second: the more advanced status wins, whichever arrives first.
TEST_F(ApplyTest, SameSecondInvoicePaidBeatsPaymentFailedInEitherOrder) {
  auto failed = Event("evt_b", "invoice.payment_failed", kT + 100,
                      InvoiceObject("in_1", "cus_1", "sub_1", "open", 1));
  auto paid =
      Event("evt_a", "invoice.paid", kT + 100, InvoiceObject("in_1", "cus_1", "sub_1", "paid", 1));
  State first = state_;
  ApplyAndCommit(failed, first, config_);
  ApplyAndCommit(paid, first, config_);
  State second = state_;
  ApplyAndCommit(paid, second, config_);
  EXPECT_EQ(Apply(failed, second, config_).outcome, Outcome::kStale);
  EXPECT_TRUE(first == second);
  EXPECT_EQ(first.Find<Invoice>("in_1")->status, "paid");
}

TEST_F(ApplyTest, SameSecondHigherAttemptCountWins) {
  auto second_attempt = Event("evt_a", "invoice.payment_failed", kT + 100,
                              InvoiceObject("in_1", "cus_1", "sub_1", "open", 2));
  auto first_attempt = Event("evt_z", "invoice.payment_failed", kT + 100,
                             InvoiceObject("in_1", "cus_1", "sub_1", "open", 1));
  Commit(second_attempt);
  EXPECT_EQ(Commit(first_attempt).outcome, Outcome::kStale);
  EXPECT_EQ(state_.Find<Invoice>("in_1")->attempt_count, 2);
}

TEST_F(ApplyTest, SameSecondSubscriptionDeletedBeatsUpdated) {
  Commit(Event("evt_a", "customer.subscription.deleted", kT + 100, Sub("canceled", "price_team")));
  EXPECT_EQ(
      Commit(Event("evt_z", "customer.subscription.updated", kT + 100, Sub("active", "price_team")))
          .outcome,
      Outcome::kStale);
  EXPECT_EQ(state_.Find<Subscription>("sub_1")->status, "canceled");
}

TEST_F(ApplyTest, LateEarlierPastDueIsStaleButMovesStatusSince) {
  Commit(
      Event("evt_pd2", "customer.subscription.updated", kT + 200, Sub("past_due", "price_team")));
  ApplyResult late = Commit(
      Event("evt_pd1", "customer.subscription.updated", kT + 100, Sub("past_due", "price_team")));
  EXPECT_EQ(late.outcome, Outcome::kStale);
  ASSERT_EQ(late.changes.size(), 1u);
  EXPECT_EQ(state_.Find<Subscription>("sub_1")->status_since, kT + 100);
  EXPECT_EQ(state_.Find<Subscription>("sub_1")->snapshot.event_id, "evt_pd2");
}

TEST_F(ApplyTest, PlanDowngradeIsFlaggedWithOldAndNewLimits) {
  ApplyResult result = Commit(
      Event("evt_down", "customer.subscription.updated", kT + 100, Sub("active", "price_pro")));
  ASSERT_EQ(result.changes.size(), 1u);
  ASSERT_TRUE(result.changes[0].plan_change.has_value());
  const PlanChange& change = *result.changes[0].plan_change;
  EXPECT_EQ(change.old_plan, "team");
  EXPECT_EQ(change.new_plan, "pro");
  EXPECT_TRUE(change.downgrade);
  EXPECT_EQ(change.old_limits.at("seats"), 25);
  EXPECT_EQ(change.new_limits.at("seats"), 5);
  const Notification* n = FindNotification(result, "plan.changed");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->user_id, "user_1");
  EXPECT_TRUE(n->body.at("downgrade").as_bool());
  EXPECT_TRUE(ToJson(result.changes[0]).contains("plan_change"));
  const Notification* access = FindNotification(result, "access.changed");
  ASSERT_NE(access, nullptr);
  EXPECT_EQ(access->body.at("after").at("plan").as_string(), "pro");
}

TEST_F(ApplyTest, MovingToAnotherSubscriptionOnTheSameTermsIsNotAnAccessChange) {
  Commit(Event(
      "evt_sub2", "customer.subscription.created", kT + 50,
      SubscriptionObject("sub_2", "cus_1", "active", "price_team", kT + 50, kT + 30 * 86400)));
  AccessDecision before = Access("user_1", state_, kT + 100, config_);
  ApplyResult result = Commit(Event(
      "evt_del2", "customer.subscription.deleted", kT + 100,
      SubscriptionObject("sub_2", "cus_1", "canceled", "price_team", kT + 50, kT + 30 * 86400)));
  AccessDecision after = Access("user_1", state_, kT + 100, config_);
  // The decision now rests on the older subscription, with the same plan and status.
  ASSERT_EQ(before.subscription_id, "sub_2");
  ASSERT_EQ(after.subscription_id, "sub_1");
  EXPECT_TRUE(after.access);
  EXPECT_NE(FindNotification(result, "subscription.canceled"), nullptr);
  EXPECT_EQ(FindNotification(result, "access.changed"), nullptr);
}

TEST_F(ApplyTest, PlanUpgradeIsNotADowngrade) {
  ApplyResult result = Commit(Event("evt_up", "customer.subscription.updated", kT + 100,
                                    Sub("active", "price_enterprise")));
  ASSERT_TRUE(result.changes[0].plan_change.has_value());
  EXPECT_FALSE(result.changes[0].plan_change->downgrade);
}

TEST_F(ApplyTest, PaymentFailedNotificationCarriesGraceEnd) {
  Commit(Event("evt_pd", "customer.subscription.updated", kT + 100, Sub("past_due", "price_team")));
  ApplyResult result = Commit(Event("evt_f", "invoice.payment_failed", kT + 101,
                                    InvoiceObject("in_1", "cus_1", "sub_1", "open", 1)));
  const Notification* n = FindNotification(result, "payment.failed");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->user_id, "user_1");
  EXPECT_EQ(n->body.at("grace_until").as_int64(), kT + 100 + 259200);
}

TEST_F(ApplyTest, ActionRequiredNotificationCarriesHostedUrl) {
  ApplyResult result = Commit(Event("evt_ar", "invoice.payment_action_required", kT + 5,
                                    InvoiceObject("in_1", "cus_1", "sub_1", "open", 1)));
  const Notification* n = FindNotification(result, "payment.action_required");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->body.at("hosted_invoice_url").as_string(), "https://invoice.stripe.com/i/in_1");
}

TEST_F(ApplyTest, CanceledSubscriptionNotifiesAndChangesAccess) {
  ApplyResult result = Commit(
      Event("evt_del", "customer.subscription.deleted", kT + 100, Sub("canceled", "price_team")));
  EXPECT_NE(FindNotification(result, "subscription.canceled"), nullptr);
  const Notification* access = FindNotification(result, "access.changed");
  ASSERT_NE(access, nullptr);
  EXPECT_TRUE(access->body.at("before").at("access").as_bool());
  EXPECT_FALSE(access->body.at("after").at("access").as_bool());
}

TEST_F(ApplyTest, CustomerDeletionSurvivesALaterSnapshot) {
  Commit(Event("evt_del", "customer.deleted", kT + 100, CustomerObject("cus_1", "user_1")));
  Commit(Event("evt_upd", "customer.updated", kT + 200, CustomerObject("cus_1", "user_1")));
  EXPECT_EQ(state_.Find<Customer>("cus_1")->deleted_at, kT + 100);
  EXPECT_EQ(Access("user_1", state_, kT + 200, config_).reason, "customer deleted");
}

boost::json::object SessionObject(const std::string& payment_status) {
  return {{"id", "cs_1"},
          {"object", "checkout.session"},
          {"mode", "payment"},
          {"status", "complete"},
          {"payment_status", payment_status},
          {"customer", "cus_2"},
          {"client_reference_id", "user_2"},
          {"amount_total", 2999},
          {"currency", "usd"},
          {"payment_intent", "pi_9"},
          {"created", kT},
          {"metadata", boost::json::object{{"plan", "pro"}}}};
}

TEST_F(ApplyTest, PaidOneTimeCheckoutCreatesPurchaseWithFeeSplit) {
  config_.platform_fee_rate = 0.1;
  ApplyResult result =
      Commit(Event("evt_cs", "checkout.session.completed", kT + 10, SessionObject("paid")));
  const Purchase* purchase = state_.Find<Purchase>("cs_1");
  ASSERT_NE(purchase, nullptr);
  EXPECT_EQ(purchase->amount, 2999);
  EXPECT_EQ(purchase->platform_fee, 300);
  EXPECT_EQ(purchase->creator_payout, 2699);
  EXPECT_EQ(purchase->user_id, "user_2");
  const Notification* n = FindNotification(result, "purchase.created");
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->user_id, "user_2");
  AccessDecision d = Access("user_2", state_, kT + 10, config_);
  EXPECT_TRUE(d.access);
  EXPECT_EQ(d.reason, "purchase");
}

TEST_F(ApplyTest, AsyncCheckoutCreatesPurchaseOnlyWhenPaid) {
  Commit(Event("evt_cs1", "checkout.session.completed", kT + 10, SessionObject("unpaid")));
  EXPECT_EQ(state_.Find<Purchase>("cs_1"), nullptr);
  EXPECT_FALSE(Access("user_2", state_, kT + 10, config_).access);
  Commit(
      Event("evt_cs2", "checkout.session.async_payment_succeeded", kT + 20, SessionObject("paid")));
  EXPECT_NE(state_.Find<Purchase>("cs_1"), nullptr);
}

TEST_F(ApplyTest, RefundedPurchaseNoLongerGrants) {
  Commit(Event("evt_cs", "checkout.session.completed", kT + 10, SessionObject("paid")));
  auto charge = testing::ChargeObject("ch_9", "cus_2", 2999, 2999, kT + 10);
  Commit(Event("evt_ch", "charge.refunded", kT + 20, std::move(charge)));
  EXPECT_EQ(Access("user_2", state_, kT + 20, config_).reason, "revoked: full refund");
}

TEST_F(ApplyTest, EveryIssueEventTypeIsHandled) {
  for (const char* type : {"checkout.session.completed",
                           "checkout.session.async_payment_succeeded",
                           "checkout.session.async_payment_failed",
                           "checkout.session.expired",
                           "customer.created",
                           "customer.updated",
                           "customer.deleted",
                           "customer.subscription.created",
                           "customer.subscription.updated",
                           "customer.subscription.deleted",
                           "customer.subscription.paused",
                           "customer.subscription.resumed",
                           "customer.subscription.trial_will_end",
                           "customer.subscription.pending_update_applied",
                           "customer.subscription.pending_update_expired",
                           "invoice.created",
                           "invoice.updated",
                           "invoice.finalized",
                           "invoice.paid",
                           "invoice.payment_succeeded",
                           "invoice.payment_failed",
                           "invoice.payment_action_required",
                           "invoice.marked_uncollectible",
                           "invoice.voided",
                           "invoice.upcoming",
                           "payment_intent.created",
                           "payment_intent.succeeded",
                           "payment_intent.payment_failed",
                           "payment_intent.requires_action",
                           "payment_intent.canceled",
                           "charge.succeeded",
                           "charge.failed",
                           "charge.refunded",
                           "charge.captured",
                           "charge.dispute.created",
                           "charge.dispute.updated",
                           "charge.dispute.closed",
                           "charge.dispute.funds_withdrawn",
                           "charge.dispute.funds_reinstated",
                           "refund.created",
                           "refund.updated",
                           "customer.source.expiring",
                           "customer.source.updated",
                           "payment_method.attached",
                           "payment_method.detached",
                           "payment_method.automatically_updated",
                           "setup_intent.created",
                           "setup_intent.succeeded",
                           "setup_intent.setup_failed",
                           "entitlements.active_entitlement_summary.updated"}) {
    const auto& handled = HandledEventTypes();
    EXPECT_TRUE(std::binary_search(handled.begin(), handled.end(), type)) << type;
  }
}

TEST(ParseEventTest, RejectsBadPayloads) {
  EXPECT_STATUS_CODE(ParseEvent("not json"), kInvalidArgument);
  EXPECT_STATUS_CODE(ParseEvent("[]"), kInvalidArgument);
  EXPECT_STATUS_CODE(
      ParseEvent(R"({"object":"event","type":"x","created":1,"data":{"object":{}}})"),
      kInvalidArgument);
  EXPECT_STATUS_CODE(
      ParseEvent(R"({"object":"event","id":"evt_1","type":"x","data":{"object":{}}})"),
      kInvalidArgument);
  EXPECT_STATUS_CODE(ParseEvent(R"({"object":"event","id":"evt_1","type":"x","created":1})"),
                     kInvalidArgument);
}

TEST(ParseEventTest, ReadsEnvelopeAndPreviousAttributes) {
  ASSERT_OK_AND_ASSIGN(
      Event event,
      ParseEvent(R"({"object":"event","id":"evt_1","type":"charge.refunded","created":7,)"
                 R"("livemode":true,"data":{"object":{"id":"ch_1","object":"charge"},)"
                 R"("previous_attributes":{"refunded":false}}})"));
  EXPECT_EQ(event.id, "evt_1");
  EXPECT_EQ(event.created, 7);
  EXPECT_TRUE(event.livemode);
  EXPECT_EQ(event.object_type, "charge");
  EXPECT_EQ(event.object_id, "ch_1");
  ASSERT_TRUE(event.previous_attributes.has_value());
  EXPECT_TRUE(event.previous_attributes->contains("refunded"));
}

TEST(ValidateConfigTest, AcceptsDefaultsAndRejectsBadValues) {
  EXPECT_OK(Validate(Config{}));
  EXPECT_OK(Validate(CorpusConfig()));
  Config negative_grace;
  negative_grace.access.grace_seconds = -1;
  EXPECT_STATUS_CODE(Validate(negative_grace), kInvalidArgument);
  Config bad_rate;
  bad_rate.platform_fee_rate = 1.5;
  EXPECT_STATUS_CODE(Validate(bad_rate), kInvalidArgument);
  Config shared_price = CorpusConfig();
  shared_price.plans["team"].prices.push_back("price_pro");
  util::Status status = Validate(shared_price);
  EXPECT_STATUS_CODE(status, kInvalidArgument);
  EXPECT_NE(status.message().find("price_pro"), std::string::npos);
}

}  // namespace
}  // namespace stripehook::billing

namespace stripehook::billing {
namespace {

// Stripe payloads are input: a field of an unexpected kind must read as "unknown", never crash
// or throw. Every field of every corpus object is replaced in turn by an array.
TEST(MalformedFieldsTest, ApplyNeverCrashesOnUnexpectedFieldKinds) {
  const Config config = CorpusConfig();
  int applied = 0;
  for (const std::string& name :
       {std::string("h_dispute_created"), std::string("a_checkout_new_subscription")}) {
    testing::Scenario scenario = testing::LoadScenario(name);
    State state;
    for (const Event& event : scenario.events) {
      for (const auto& field : event.object) {
        Event broken = event;
        broken.object[field.key()] = boost::json::array{1, "x"};
        ApplyResult result = Apply(broken, state, config);
        EXPECT_NE(result.outcome, Outcome::kIgnored) << event.type;
        ++applied;
      }
      testing::ApplyAndCommit(event, state, config);
    }
  }
  EXPECT_GT(applied, 500);
}

}  // namespace
}  // namespace stripehook::billing
