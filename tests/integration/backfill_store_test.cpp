// RunBackfill in process: a real SQLite store and the Stripe client against the fake Stripe API.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "fake_stripe/fake_stripe_process.h"
#include "reconcile/backfill.h"
#include "store/sqlite/sqlite_store.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::reconcile {
namespace {

namespace json = boost::json;
constexpr int64_t kNow = 1795000000;
constexpr int64_t kDay = 86400;

json::object Event(int i, int64_t created, const std::string& type = "invoice.paid") {
  return json::object{
      {"id", "evt_bf_" + std::to_string(i)},
      {"object", "event"},
      {"type", type},
      {"created", created},
      {"livemode", false},
      {"api_version", "2026-07-29.dahlia"},
      {"data", json::object{{"object", json::object{{"id", "in_bf_" + std::to_string(i)},
                                                    {"object", "invoice"}}}}}};
}

store::NewEvent Stored(const json::object& e) {
  store::NewEvent n;
  n.id = std::string(e.at("id").as_string());
  n.type = std::string(e.at("type").as_string());
  n.created = e.at("created").as_int64();
  n.object_id = "in_x";
  n.object_type = "invoice";
  n.payload = json::serialize(e);
  return n;
}

class BackfillStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetUnixSeconds(kNow);
    store::sqlite::SqliteOptions options;
    options.path = dir_.File("inbox.db");
    options.clock = &clock_;
    ASSERT_OK_AND_ASSIGN(store_, store::sqlite::SqliteStore::Open(options));
    ASSERT_TRUE(fake_.Start());
    stripe::ClientOptions o =
        stripe::MakeClientOptions("sk_test_fake", fake_.api_base(), "2026-07-29.dahlia");
    o.sleep = [](std::chrono::milliseconds) {};
    ASSERT_OK_AND_ASSIGN(auto budget, stripe::RequestBudget::Create(1000, 100));
    ASSERT_OK_AND_ASSIGN(client_, stripe::StripeClient::Create(o, budget));
  }
  void TearDown() override { store_->Shutdown(); }

  void Seed(const std::vector<json::object>& events) {
    std::string lines;
    for (const auto& e : events) lines += json::serialize(e) + "\n";
    ASSERT_TRUE(fake_.SeedEvents(lines));
  }

  testing::TempDir dir_;
  util::ManualClock clock_;
  std::unique_ptr<store::sqlite::SqliteStore> store_;
  testing::FakeStripe fake_;
  std::unique_ptr<stripe::StripeClient> client_;
};

TEST_F(BackfillStoreTest, InsertsOnlyWhatIsMissingOldestFirst) {
  std::vector<json::object> events;
  for (int i = 0; i < 300; ++i) events.push_back(Event(i, kNow - 1000 + i));
  Seed(events);
  for (int i = 0; i < 300; i += 6) ASSERT_OK(store_->InsertEvent(Stored(events[i])).status());
  BackfillOptions options;
  options.since = kNow - 2000;
  ASSERT_OK_AND_ASSIGN(BackfillReport report, RunBackfill(*client_, *store_, clock_, options));
  EXPECT_EQ(report.since, kNow - 2000);
  EXPECT_EQ(report.fetched, 300);
  EXPECT_EQ(report.inserted, 250);
  EXPECT_EQ(report.duplicates, 50);
  EXPECT_EQ(report.oldest_missing_created, kNow - 1000 + 1);
  EXPECT_FALSE(report.retention_warning.has_value());
  ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountEvents());
  EXPECT_EQ(count, 300);
  ASSERT_OK_AND_ASSIGN(store::StoredEvent e7, store_->GetEvent("evt_bf_7"));
  EXPECT_EQ(e7.event.source, "backfill");
  EXPECT_EQ(e7.event.type, "invoice.paid");
  EXPECT_EQ(e7.event.object_id, "in_bf_7");
  EXPECT_EQ(json::parse(e7.event.payload), events[7]);
  ASSERT_OK_AND_ASSIGN(store::StoredEvent e6, store_->GetEvent("evt_bf_6"));
  EXPECT_EQ(e6.event.source, "webhook");  // a delivered event is never rewritten
  // Arrival order of the backfilled rows follows `created`: the newest row is the newest event.
  store::EventFilter newest;
  newest.limit = 1;
  ASSERT_OK_AND_ASSIGN(store::EventPage page, store_->ListEvents(newest));
  EXPECT_EQ(page.events.at(0).event.id, "evt_bf_299");
}

TEST_F(BackfillStoreTest, DefaultLowerBoundIsNewestStoredMinusTheWindow) {
  Seed({Event(1, kNow - 5000), Event(2, kNow - 3000), Event(3, kNow - 100)});
  ASSERT_OK(store_->InsertEvent(Stored(Event(2, kNow - 3000))).status());
  BackfillOptions options;
  options.safety_window_seconds = 600;
  ASSERT_OK_AND_ASSIGN(BackfillReport report, RunBackfill(*client_, *store_, clock_, options));
  EXPECT_EQ(report.since, kNow - 3600);
  EXPECT_EQ(report.fetched, 2);
  EXPECT_EQ(report.inserted, 1);
  EXPECT_FALSE(store_->GetEvent("evt_bf_1").ok());  // before the window: not asked for
  auto reqs = fake_.Requests("/v1/events");
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].Param("created[gte]"), std::to_string(kNow - 3600));
}

TEST_F(BackfillStoreTest, WarnsNearTheThirtyDayRetention) {
  BackfillOptions options;
  ASSERT_OK_AND_ASSIGN(BackfillReport empty, RunBackfill(*client_, *store_, clock_, options));
  EXPECT_EQ(empty.since, kNow - kEventRetentionSeconds);  // empty inbox: everything Stripe has
  ASSERT_TRUE(empty.retention_warning.has_value());
  options.since = kNow - 28 * kDay;
  ASSERT_OK_AND_ASSIGN(BackfillReport near, RunBackfill(*client_, *store_, clock_, options));
  ASSERT_TRUE(near.retention_warning.has_value());
  EXPECT_NE(near.retention_warning->find("within 2 day(s)"), std::string::npos)
      << *near.retention_warning;
  options.since = kNow - 20 * kDay;
  ASSERT_OK_AND_ASSIGN(BackfillReport fine, RunBackfill(*client_, *store_, clock_, options));
  EXPECT_FALSE(fine.retention_warning.has_value());
}

TEST_F(BackfillStoreTest, ManyTypesAreAskedInPassesOfTwenty) {
  std::vector<json::object> events;
  BackfillOptions options;
  options.since = kNow - 1000;
  for (int i = 0; i < 21; ++i) {
    std::string type = "type.n" + std::to_string(i);
    options.event_types.push_back(type);
    events.push_back(Event(i, kNow - 10 - i, type));
  }
  events.push_back(Event(99, kNow - 5, "not.asked"));
  Seed(events);
  ASSERT_OK_AND_ASSIGN(BackfillReport report, RunBackfill(*client_, *store_, clock_, options));
  EXPECT_EQ(report.inserted, 21);
  auto reqs = fake_.Requests("/v1/events");
  ASSERT_EQ(reqs.size(), 2u);
  auto types = [](const testing::FakeRequest& r) {
    int n = 0;
    for (const auto& [k, v] : r.query) n += k == "types[]" ? 1 : 0;
    return n;
  };
  EXPECT_EQ(types(reqs[0]), 20);
  EXPECT_EQ(types(reqs[1]), 1);
  EXPECT_FALSE(store_->GetEvent("evt_bf_99").ok());
}

TEST_F(BackfillStoreTest, SkipsUnusableEventsAndStopsOnListingErrors) {
  json::object broken = Event(2, kNow - 50);
  broken.erase("type");
  Seed({Event(1, kNow - 60), broken});
  BackfillOptions options;
  options.since = kNow - 100;
  ASSERT_OK_AND_ASSIGN(BackfillReport report, RunBackfill(*client_, *store_, clock_, options));
  EXPECT_EQ(report.fetched, 2);
  EXPECT_EQ(report.invalid, 1);
  EXPECT_EQ(report.inserted, 1);

  Seed({Event(3, kNow - 40)});
  ASSERT_TRUE(
      fake_.AddFault({{"method", "GET"}, {"path", "/v1/events"}, {"status", 500}, {"times", 10}}));
  auto failed = RunBackfill(*client_, *store_, clock_, options);
  EXPECT_EQ(failed.status().code(), util::StatusCode::kUnavailable);
  EXPECT_FALSE(store_->GetEvent("evt_bf_3").ok());
}

}  // namespace
}  // namespace stripehook::reconcile
