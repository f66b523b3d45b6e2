// Reconciliation end to end: a real SQLite store and pipeline, the real Stripe client, and the
// fake Stripe API server on loopback. Local state with a missing subscription, a stale one and an
// orphan: all three are reported, the first two repaired through the pipeline, the third flagged.
#include "reconcile/reconciler.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fake_stripe/fake_stripe_process.h"
#include "pipeline/processor.h"
#include "reconcile/repair.h"
#include "store/sqlite/sqlite_store.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::reconcile {
namespace {

constexpr int64_t kNow = 1'800'000'000;

boost::json::object Subscription(const std::string& id, const std::string& status) {
  return boost::json::parse(R"({"id":")" + id + R"(","object":"subscription",
      "customer":"cus_u1","status":")" +
                            status + R"(","cancel_at_period_end":false,
      "created":1799000000,"metadata":{"user_id":"u1"},"latest_invoice":null,
      "items":{"object":"list","data":[{"id":"si_)" +
                            id + R"(","object":"subscription_item",
      "quantity":1,"current_period_start":1799000000,"current_period_end":1801592000,
      "price":{"id":"price_pro","object":"price","product":"prod_pro"}}]}})")
      .as_object();
}

boost::json::object Customer() {
  return boost::json::parse(R"({"id":"cus_u1","object":"customer","email":"u1@example.com",
      "name":"U One","created":1799000000,"metadata":{"user_id":"u1"}})")
      .as_object();
}

store::NewEvent Webhook(const std::string& id, const std::string& type, int64_t created,
                        const boost::json::object& object) {
  store::NewEvent e;
  e.id = id;
  e.type = type;
  e.created = created;
  e.object_id = std::string(object.at("id").as_string());
  e.object_type = std::string(object.at("object").as_string());
  e.payload = boost::json::serialize(boost::json::object{{"id", id},
                                                         {"object", "event"},
                                                         {"type", type},
                                                         {"created", created},
                                                         {"livemode", false},
                                                         {"data", {{"object", object}}}});
  return e;
}

class ReconcileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetUnixSeconds(kNow);
    store::sqlite::SqliteOptions options;
    options.path = dir_.File("state.db");
    options.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, store::sqlite::SqliteStore::Open(options));
    billing::Config config;
    config.plans["pro"] = billing::Plan{"pro", {"price_pro"}, {}, {}};
    processor_ = std::make_unique<pipeline::Processor>(store_.get(), &clock_, config,
                                                       pipeline::ProcessorOptions{});
    ASSERT_OK(processor_->LoadState());
    ASSERT_TRUE(fake_.Start());
    ASSERT_OK_AND_ASSIGN(auto budget, stripe::RequestBudget::Create(1000, 100));
    ASSERT_OK_AND_ASSIGN(client_, stripe::StripeClient::Create(
                                      stripe::MakeClientOptions("sk_test_fake", fake_.api_base(),
                                                                "2026-07-29.dahlia"),
                                      budget));
    reconciler_ = std::make_unique<Reconciler>(
        store_.get(), client_.get(), [this](const auto& read) { processor_->WithState(read); },
        &clock_);
  }

  void Drain() {
    for (;;) {
      ASSERT_OK_AND_ASSIGN(int n, processor_->RunOnce());
      if (n == 0) return;
    }
  }

  // Local: customer, sub_stale (active), sub_orphan (active). Stripe: the customer, sub_stale now
  // past_due, sub_missing active, no sub_orphan.
  void SeedDivergedState() {
    ASSERT_OK(store_->InsertEvent(Webhook("evt_1c", "customer.created", kNow - 900, Customer())));
    ASSERT_OK(store_->InsertEvent(Webhook("evt_1s", "customer.subscription.created", kNow - 800,
                                          Subscription("sub_stale", "active"))));
    ASSERT_OK(store_->InsertEvent(Webhook("evt_1o", "customer.subscription.created", kNow - 800,
                                          Subscription("sub_orphan", "active"))));
    Drain();
    ASSERT_TRUE(fake_.PutObject(Customer()));
    ASSERT_TRUE(fake_.PutObject(Subscription("sub_stale", "past_due")));
    ASSERT_TRUE(fake_.PutObject(Subscription("sub_missing", "active")));
  }

  std::string StatusOf(const std::string& id) {
    std::string status = "(none)";
    processor_->WithState([&](const billing::State& state) {
      if (const auto* s = state.Find<billing::Subscription>(id)) status = s->status;
    });
    return status;
  }

  testing::TempDir dir_;
  util::ManualClock clock_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  std::unique_ptr<pipeline::Processor> processor_;
  testing::FakeStripe fake_;
  std::unique_ptr<stripe::StripeClient> client_;
  std::unique_ptr<Reconciler> reconciler_;
};

TEST_F(ReconcileTest, MissingAndStaleAreRepairedOrphanIsFlagged) {
  SeedDivergedState();
  ASSERT_OK_AND_ASSIGN(ReconcileReport report, reconciler_->Run(/*repair=*/true));
  const Comparison& c = report.comparison;
  ASSERT_EQ(c.findings.size(), 3u) << boost::json::serialize(ToJson(report));
  EXPECT_EQ(c.findings[0].id, "sub_missing");
  EXPECT_EQ(c.findings[0].kind, FindingKind::kMissing);
  EXPECT_EQ(c.findings[1].id, "sub_orphan");
  EXPECT_EQ(c.findings[1].kind, FindingKind::kOrphaned);
  EXPECT_EQ(c.findings[2].id, "sub_stale");
  EXPECT_EQ(c.findings[2].kind, FindingKind::kMismatched);
  EXPECT_EQ(c.stripe_subscriptions, 2);
  EXPECT_EQ(c.health_score, 0);
  EXPECT_EQ(report.repairs_queued, 2);

  // The repairs are inbox events marked as such; the pipeline applies them like webhooks.
  ASSERT_OK_AND_ASSIGN(store::StoredEvent repair,
                       store_->GetEvent(RepairEventId("sub_missing", kNow)));
  EXPECT_EQ(repair.event.source, "reconcile");
  Drain();
  EXPECT_EQ(StatusOf("sub_missing"), "active");
  EXPECT_EQ(StatusOf("sub_stale"), "past_due");
  EXPECT_EQ(StatusOf("sub_orphan"), "active");  // flagged, never deleted
  ASSERT_OK_AND_ASSIGN(repair, store_->GetEvent(RepairEventId("sub_stale", kNow)));
  EXPECT_EQ(repair.status, store::EventStatus::kProcessed);
  ASSERT_OK_AND_ASSIGN(auto audit, store_->AuditForEvent(RepairEventId("sub_stale", kNow)));
  EXPECT_FALSE(audit.empty());

  // A second pass finds only the orphan and repairs nothing.
  clock_.SetUnixSeconds(kNow + 60);
  ASSERT_OK_AND_ASSIGN(ReconcileReport again, reconciler_->Run(/*repair=*/true));
  ASSERT_EQ(again.comparison.findings.size(), 1u);
  EXPECT_EQ(again.comparison.findings[0].kind, FindingKind::kOrphaned);
  EXPECT_EQ(again.repairs_queued, 0);
  EXPECT_EQ(again.comparison.health_score, 66);  // 2 matching of 2 listed + 1 orphan
}

TEST_F(ReconcileTest, ReportOnlyQueuesNothingAndRepeatedRepairIsADuplicate) {
  SeedDivergedState();
  ASSERT_OK_AND_ASSIGN(ReconcileReport dry, reconciler_->Run(/*repair=*/false));
  EXPECT_EQ(dry.comparison.findings.size(), 3u);
  EXPECT_EQ(dry.repairs_queued, 0);
  EXPECT_STATUS_CODE(store_->GetEvent(RepairEventId("sub_missing", kNow)), kNotFound);
  ASSERT_OK_AND_ASSIGN(ReconcileReport first, reconciler_->Run(true));
  ASSERT_OK_AND_ASSIGN(ReconcileReport second, reconciler_->Run(true));  // same second
  EXPECT_EQ(first.repairs_queued, 2);
  EXPECT_EQ(second.repairs_queued, 0);
  EXPECT_EQ(second.repairs_duplicate, 2);
}

TEST_F(ReconcileTest, CheckUserShowsStripeSideAndFixResyncsOnlyThatUser) {
  SeedDivergedState();
  boost::json::object other = Subscription("sub_other", "active");
  other["customer"] = "cus_other";
  ASSERT_TRUE(fake_.PutObject(other));
  ASSERT_OK_AND_ASSIGN(UserReport check, reconciler_->CheckUser("u1", /*repair=*/false));
  EXPECT_EQ(check.customers.size(), 1u);
  EXPECT_EQ(check.subscriptions.size(), 2u);  // sub_stale and sub_missing, not sub_other
  EXPECT_EQ(check.reconcile.comparison.findings.size(), 3u);
  boost::json::object json = ToJson(check);
  EXPECT_EQ(json.at("stripe").at("subscriptions").as_array().size(), 2u);
  for (const boost::json::object& s : check.subscriptions) {
    EXPECT_EQ(s.at("customer").as_string(), "cus_u1");  // not sub_other of another customer
  }
  ASSERT_OK_AND_ASSIGN(UserReport fixed, reconciler_->CheckUser("u1", /*repair=*/true));
  EXPECT_EQ(fixed.reconcile.repairs_queued, 2);
  Drain();
  EXPECT_EQ(StatusOf("sub_stale"), "past_due");
  EXPECT_TRUE(processor_->Access("u1", kNow).access);

  EXPECT_STATUS_CODE(reconciler_->CheckUser("nobody", false), kNotFound);
}

TEST_F(ReconcileTest, StripeErrorQueuesNothing) {
  SeedDivergedState();
  ASSERT_TRUE(fake_.AddFault({{"method", "GET"}, {"path", "/v1/customers"}, {"status", 401}}));
  util::StatusOr<ReconcileReport> report = reconciler_->Run(true);
  EXPECT_STATUS_CODE(report, kUnauthenticated);
  EXPECT_STATUS_CODE(store_->GetEvent(RepairEventId("sub_missing", kNow)), kNotFound);
}

}  // namespace
}  // namespace stripehook::reconcile
