// The admin API against the real binary, a real SQLite file and loopback sockets: auth, every
// endpoint, and the bad-input answers (bad cursor, window, filter; unknown ids).
#include <set>

#include "integration/admin_harness.h"

namespace stripehook::testing {
namespace {

namespace json = boost::json;

std::vector<std::string> Ids(const json::object& list) {
  std::vector<std::string> ids;
  for (const json::value& e : list.at("data").as_array()) {
    ids.emplace_back(e.as_object().at("id").as_string());
  }
  return ids;
}

TEST_F(AdminTest, RefusesMissingOrWrongKeyAndAcceptsBothHeaders) {
  Start();
  HttpResult none = client_->Get("/admin/events");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("\"unauthorized\""), std::string::npos) << none.body;
  EXPECT_EQ(client_->Request("GET", "/admin/events", "", {{"Authorization", "Bearer nope"}}).status,
            401);
  EXPECT_EQ(Admin("GET", "/admin/events").status, 200);
  EXPECT_EQ(client_->Request("GET", "/admin/events", "", {{"X-Admin-Key", kAdminKey}}).status, 200);
  // Every admin route is guarded, writes included.
  EXPECT_EQ(client_->Request("POST", "/admin/events/retry-failed", "").status, 401);
  EXPECT_EQ(client_->Request("POST", "/admin/cleanup?older_than=30d", "").status, 401);
  EXPECT_EQ(client_->Get("/admin/users/" + std::string(kUser)).status, 401);
  EXPECT_EQ(client_->Get("/admin/health/subscriptions").status, 401);
}

TEST_F(AdminTest, RepeatedFailuresFromOneAddressAreRateLimitedEvenWithTheRightKey) {
  Start();
  int refused = 0;
  HttpResult last;
  for (int i = 0; i < 30 && last.status != 429; ++i) {
    last =
        client_->Request("GET", "/admin/stats", "", {{"X-Admin-Key", "guess" + std::to_string(i)}});
    if (last.status == 401) ++refused;
  }
  ASSERT_EQ(last.status, 429) << last.body;
  EXPECT_GE(refused, 5);
  EXPECT_NE(last.body.find("\"rate_limited\""), std::string::npos);
  EXPECT_FALSE(last.Header("retry-after").empty());
  // While limited, the right key is not even looked at: a guesser learns nothing.
  EXPECT_EQ(Admin("GET", "/admin/stats").status, 429);
}

TEST_F(AdminTest, ListsEventsNewestFirstAndPagesWithACursor) {
  Start();
  DeliverScenario();
  std::vector<std::string> delivered;
  for (const std::string& e : ScenarioA()) {
    delivered.emplace_back(json::parse(e).as_object().at("id").as_string());
  }
  std::vector<std::string> paged;
  std::string path = "/admin/events?limit=2";
  for (int page = 0; page < 20; ++page) {
    json::object list = AdminJson("GET", path);
    ASSERT_EQ(list.at("object").as_string(), "list");
    for (std::string& id : Ids(list)) paged.push_back(id);
    if (!list.at("has_more").as_bool()) break;
    path = "/admin/events?limit=2&starting_after=" + paged.back();
  }
  std::vector<std::string> newest_first(delivered.rbegin(), delivered.rend());
  EXPECT_EQ(paged, newest_first);
}

TEST_F(AdminTest, FiltersByStatusTypeObjectCustomerAndTime) {
  Start();
  DeliverScenario();
  size_t all = ScenarioA().size();
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?type=customer.created")).size(), 1u);
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?status=failed")).size(), 0u);
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?customer=" + std::string(kCustomer))).size(), all);
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?customer=cus_nobody")).size(), 0u);
  json::object by_sub = AdminJson("GET", "/admin/events?object_id=" + std::string(kSubscription));
  for (const json::value& e : by_sub.at("data").as_array()) {
    EXPECT_EQ(e.as_object().at("object_id").as_string(), kSubscription);
  }
  EXPECT_FALSE(Ids(by_sub).empty());
  // Arrival time comes from the service's (manual) clock.
  std::string now = std::to_string(kScenarioNow);
  std::string later = std::to_string(kScenarioNow + 1);
  EXPECT_EQ(
      Ids(AdminJson("GET", "/admin/events?received_gte=" + now + "&received_lt=" + later)).size(),
      all);
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?received_gte=" + later)).size(), 0u);
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?created_lt=1")).size(), 0u);
}

TEST_F(AdminTest, BadListInputIsA400WithAJsonError) {
  Start();
  EXPECT_EQ(ErrorCode("GET", "/admin/events?starting_after=evt_unknown", 400), "invalid_request");
  EXPECT_EQ(ErrorCode("GET", "/admin/events?limit=0", 400), "invalid_request");
  EXPECT_EQ(ErrorCode("GET", "/admin/events?limit=abc", 400), "invalid_request");
  EXPECT_EQ(ErrorCode("GET", "/admin/events?status=weird", 400), "invalid_request");
  EXPECT_EQ(ErrorCode("GET", "/admin/events?received_gte=yesterday", 400), "invalid_request");
  EXPECT_EQ(ErrorCode("GET", "/admin/stats?window=forever", 400), "invalid_request");
  EXPECT_EQ(ErrorCode("GET", "/admin/stats?window=0h", 400), "invalid_request");
  EXPECT_EQ(ErrorCode("POST", "/admin/cleanup", 400), "invalid_request");
  EXPECT_EQ(ErrorCode("POST", "/admin/cleanup?older_than=30x", 400), "invalid_request");
}

TEST_F(AdminTest, EventDetailHasPayloadAuditAndErrors) {
  Start();
  DeliverScenario();
  std::string first(json::parse(ScenarioA().front()).as_object().at("id").as_string());
  json::object e = AdminJson("GET", "/admin/events/" + first);
  EXPECT_EQ(e.at("status").as_string(), "processed");
  EXPECT_EQ(e.at("payload").as_object().at("id").as_string(), first);
  EXPECT_FALSE(e.at("audit").as_array().empty());
  EXPECT_TRUE(e.at("errors").as_array().empty());
  EXPECT_EQ(ErrorCode("GET", "/admin/events/evt_unknown", 404), "not_found");

  Deliver(FailingEvent("evt_admin_fail_1", "in_fail_1"));
  WaitUntil("status = 'failed'", 1);
  json::object failed = AdminJson("GET", "/admin/events/evt_admin_fail_1");
  EXPECT_EQ(failed.at("status").as_string(), "failed");
  ASSERT_EQ(failed.at("errors").as_array().size(), 1u);
  EXPECT_FALSE(failed.at("last_error").as_string().empty());
}

TEST_F(AdminTest, RetryRequeuesFailedEventsAndRefusesOthers) {
  Start();
  DeliverScenario();
  Deliver(FailingEvent("evt_admin_fail_1", "in_fail_1"));
  Deliver(FailingEvent("evt_admin_fail_2", "in_fail_2"));
  WaitUntil("status = 'failed'", 2);
  json::object one = AdminJson("POST", "/admin/events/evt_admin_fail_1/retry");
  EXPECT_EQ(one.at("requeued").as_int64(), 1);
  // Its second attempt fails too: with max_attempts 2 it is now dead.
  WaitUntil("id = 'evt_admin_fail_1' AND status = 'dead' AND attempts = 2", 1);
  std::string processed(json::parse(ScenarioA().front()).as_object().at("id").as_string());
  EXPECT_EQ(ErrorCode("POST", "/admin/events/" + processed + "/retry", 409), "conflict");
  EXPECT_EQ(ErrorCode("POST", "/admin/events/evt_unknown/retry", 404), "not_found");
  json::object all = AdminJson("POST", "/admin/events/retry-failed");
  EXPECT_EQ(all.at("requeued").as_int64(), 2);  // the dead one and the failed one
  WaitUntil("status = 'dead'", 2);
}

TEST_F(AdminTest, StatsCountByStatusAndTypeWithDuplicatesAndLatencies) {
  Start();
  DeliverScenario();
  Deliver(ScenarioA().front());  // a duplicate delivery
  Deliver(FailingEvent("evt_admin_fail_1", "in_fail_1"));
  WaitUntil("status = 'failed'", 1);
  json::object s = AdminJson("GET", "/admin/stats?window=24h");
  const json::object& events = s.at("events").as_object();
  auto n = static_cast<int64_t>(ScenarioA().size());
  EXPECT_EQ(events.at("received").as_int64(), n + 1);
  EXPECT_EQ(events.at("failed").as_int64(), 1);
  EXPECT_EQ(events.at("processed").as_int64() + events.at("ignored").as_int64() +
                events.at("stale").as_int64(),
            n);
  EXPECT_EQ(s.at("by_type").as_object().at("customer.created").as_object().at("received"), 1);
  EXPECT_EQ(s.at("duplicates").as_object().at("count").as_int64(), 1);
  EXPECT_EQ(s.at("processing_latency_seconds").as_object().at("count").as_int64(), n);
  EXPECT_GE(s.at("ingest_latency_seconds").as_object().at("count").as_int64(), n);
  // A window that ends before the deliveries holds none of them.
  SetClock(kScenarioNow + 7200);
  json::object later = AdminJson("GET", "/admin/stats?window=1h");
  EXPECT_EQ(later.at("events").as_object().at("received").as_int64(), 0);
}

TEST_F(AdminTest, CleanupKeepsFailedEventsAndTheSnapshotsStateRestsOn) {
  Start();
  DeliverScenario();
  Deliver(FailingEvent("evt_admin_fail_1", "in_fail_1"));
  WaitUntil("status = 'failed'", 1);
  DbReader db(fx_.db_path);
  int64_t before = db.Count();
  int64_t objects_with_snapshot =
      db.QueryInt("SELECT count(DISTINCT object_id) FROM events WHERE status = 'processed'");
  // Nothing is older than 30 days yet.
  EXPECT_EQ(AdminJson("POST", "/admin/cleanup?older_than=30d").at("deleted").as_int64(), 0);
  SetClock(kScenarioNow + 31 * 86400);
  int64_t deleted = AdminJson("POST", "/admin/cleanup?older_than=30d").at("deleted").as_int64();
  EXPECT_EQ(db.Count(), before - deleted);
  // The clock jump makes its retry due, so it may be dead by now: either way it is kept.
  EXPECT_EQ(db.Count("id = 'evt_admin_fail_1' AND status IN ('failed', 'dead')"), 1);
  EXPECT_GT(deleted, 0);
  // Every object still has its newest processed snapshot.
  EXPECT_EQ(db.QueryInt("SELECT count(DISTINCT object_id) FROM events WHERE status = 'processed'"),
            objects_with_snapshot);
  // Every event the state rests on is kept, so `stripehook rebuild` still gives the live state:
  // each record's snapshot and each kept subscription status observation (status_since and the
  // grace period come from them, and they are older than the newest snapshot).
  const char* kMissingObservations =
      "SELECT count(*) FROM billing_records r, json_each(r.doc, '$.status_history') h "
      "WHERE r.table_name = 'subscriptions' AND NOT EXISTS (SELECT 1 FROM events e "
      "WHERE e.id = json_extract(h.value, '$.key.event_id'))";
  EXPECT_EQ(db.QueryInt(kMissingObservations), 0);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM billing_records r WHERE NOT EXISTS (SELECT 1 FROM "
                        "events e WHERE e.id = json_extract(r.doc, '$.snapshot.event_id'))"),
            0);
  // Deleting again finds nothing more: the survivors are all needed.
  EXPECT_EQ(AdminJson("POST", "/admin/cleanup?older_than=30d").at("deleted").as_int64(), 0);
}

TEST_F(AdminTest, CheckUserByUserIdCustomerIdOrEmail) {
  Start();
  DeliverScenario();
  json::object u = AdminJson("GET", "/admin/users/" + std::string(kUser));
  EXPECT_EQ(u.at("user_id").as_string(), kUser);
  EXPECT_EQ(u.at("matched_by").as_string(), "user_id");
  EXPECT_EQ(u.at("access").as_object().at("access").as_bool(), true);
  EXPECT_EQ(u.at("access").as_object().at("reason").as_string(), "active");
  ASSERT_EQ(u.at("subscriptions").as_array().size(), 1u);
  EXPECT_EQ(u.at("subscriptions").as_array()[0].as_object().at("id").as_string(), kSubscription);
  EXPECT_FALSE(u.at("invoices").as_array().empty());
  EXPECT_EQ(u.at("recent_events").as_array().size(), ScenarioA().size());
  EXPECT_EQ(u.at("stripe").as_string(), "not_configured");
  json::object by_customer = AdminJson("GET", "/admin/users/" + std::string(kCustomer));
  EXPECT_EQ(by_customer.at("user_id").as_string(), kUser);
  EXPECT_EQ(by_customer.at("matched_by").as_string(), "customer_id");
  json::object by_email = AdminJson("GET", "/admin/users/" + std::string(kEmail));
  EXPECT_EQ(by_email.at("user_id").as_string(), kUser);
  EXPECT_EQ(by_email.at("matched_by").as_string(), "email");
  EXPECT_EQ(ErrorCode("GET", "/admin/users/user_nobody", 404), "not_found");
}

TEST_F(AdminTest, FixUserRequeuesOnlyThatUsersFailedEvents) {
  Start();
  DeliverScenario();
  Deliver(FailingEvent("evt_admin_fail_mine", kSubscription));  // about the user's subscription
  Deliver(FailingEvent("evt_admin_fail_other", "in_somebody_else"));
  WaitUntil("status = 'failed'", 2);
  json::object fix = AdminJson("POST", "/admin/users/" + std::string(kUser) + "/fix");
  ASSERT_EQ(fix.at("requeued").as_array().size(), 1u);
  EXPECT_EQ(fix.at("requeued").as_array()[0].as_string(), "evt_admin_fail_mine");
  EXPECT_EQ(fix.at("resync").as_string(), "not_configured");
  WaitUntil("id = 'evt_admin_fail_mine' AND attempts = 2", 1);
  WaitUntil("id = 'evt_admin_fail_other' AND attempts = 1", 1);
  EXPECT_EQ(ErrorCode("POST", "/admin/users/user_nobody/fix", 404), "not_found");
}

TEST_F(AdminTest, SubscriptionHealthScoresAgreementWithTheNewestSnapshots) {
  Start();
  DeliverScenario();
  json::object h = AdminJson("GET", "/admin/health/subscriptions");
  EXPECT_EQ(h.at("score").as_int64(), 100);
  EXPECT_EQ(h.at("subscriptions").as_int64(), 1);
  EXPECT_TRUE(h.at("mismatches").as_array().empty());
  EXPECT_FALSE(h.at("how_computed").as_string().empty());
  // A failing event about the subscription makes it unhealthy.
  Deliver(FailingEvent("evt_admin_fail_sub", kSubscription));
  WaitUntil("status = 'failed'", 1);
  json::object after = AdminJson("GET", "/admin/health/subscriptions");
  EXPECT_EQ(after.at("failed").as_int64(), 1);
  EXPECT_LT(after.at("score").as_int64(), 100);
}

}  // namespace
}  // namespace stripehook::testing
