// Outbox delivery end to end against real servers on loopback (see notify_harness.h): every
// lifecycle's notifications reach the app (signatures verified by the `standardwebhooks` npm
// package), the customers' mailboxes and Redis exactly as notify_expectations.json says (the
// rules are in docs/notifications.md); outages of the receiver and of SMTP lose and duplicate
// nothing; duplicate and stale events send nothing.
#include <cstdlib>

#include "notify/alerts.h"
#include "notify_harness.h"

namespace stripehook::notify {
namespace {

// What the lifecycles must produce, per user: webhook types in order, email kinds in order,
// Redis invalidations.
struct Expected {
  std::vector<std::string> webhooks, emails;
  int64_t invalidations = 0;
};

std::map<std::string, Expected> LoadExpectations() {
  std::string text = ChildProcess::ReadFile(std::string(STRIPEHOOK_SOURCE_DIR) +
                                            "/tests/integration/notify_expectations.json");
  std::map<std::string, Expected> out;
  boost::json::value parsed = boost::json::parse(text);
  for (const auto& [scenario, v] : parsed.as_object()) {
    const boost::json::object& o = v.as_object();
    Expected e;
    for (const auto& t : o.at("webhooks").as_array()) e.webhooks.emplace_back(t.as_string());
    for (const auto& t : o.at("emails").as_array()) e.emails.emplace_back(t.as_string());
    e.invalidations = o.at("redis_invalidations").as_int64();
    out[std::string(o.at("user_id").as_string())] = e;
  }
  return out;
}

std::string UserOfScenario(const std::string& scenario) {
  std::string text = ChildProcess::ReadFile(stripehook::testing::FixturesDir() + "/lifecycles/" +
                                            scenario + ".expected.json");
  boost::json::value parsed = boost::json::parse(text);
  return std::string(parsed.at("user_id").as_string());
}

// The outbox id in a Message-ID "<outbox-12[.operator]@domain>".
int64_t OutboxIdOfMessage(const std::string& message_id) {
  return std::atoll(message_id.c_str() + std::string("<outbox-").size());
}

TEST_F(NotifyDeliveryTest, EveryLifecycleDeliversItsDocumentedNotifications) {
  ASSERT_NO_FATAL_FAILURE(StartReceiver(0));
  int smtp_port = StartSmtp();
  ASSERT_NO_FATAL_FAILURE(StartRedis());
  ASSERT_NO_FATAL_FAILURE(ProcessAllLifecycles());
  std::map<std::string, std::string> scenario_of_user;
  for (const std::string& s : Scenarios()) {
    scenario_of_user[UserOfScenario(s)] = s;
    ASSERT_EQ(RedisCommand({"SET", "features:" + UserOfScenario(s), "cached"}), "OK");
  }
  auto deliverer = MakeDeliverer(true, smtp_port, true);
  ASSERT_NO_FATAL_FAILURE(DeliverEverything(*deliverer));

  std::map<int64_t, store::OutboxEntry> rows = OutboxById();
  std::map<std::string, Expected> actual;
  for (const Received& r : ReceivedWebhooks()) {
    ASSERT_TRUE(r.verified) << r.id;
    actual[r.user_id].webhooks.push_back(r.type);
  }
  std::vector<Mail> mails = Mails();
  for (const Mail& m : mails) {
    const store::OutboxEntry& row = rows.at(OutboxIdOfMessage(m.message_id));
    std::string kind = std::string(EmailKindFor(row.type).value_or("?"));
    if (m.to == "ops@acme.test") kind = "operator:" + kind;
    actual[row.user_id].emails.push_back(kind);
  }
  for (const auto& [id, row] : rows) {
    if (row.type == "access.changed") ++actual[row.user_id].invalidations;
  }

  const char* write = std::getenv("STRIPEHOOK_WRITE_NOTIFY_EXPECTATIONS");
  if (write != nullptr) {  // regenerating the expectation file after a reviewed change
    boost::json::object out;
    for (const auto& [user, e] : actual) {
      boost::json::array hooks(e.webhooks.begin(), e.webhooks.end());
      boost::json::array emails(e.emails.begin(), e.emails.end());
      boost::json::object entry;
      entry["user_id"] = user;
      entry["webhooks"] = std::move(hooks);
      entry["emails"] = std::move(emails);
      entry["redis_invalidations"] = e.invalidations;
      out[scenario_of_user[user]] = std::move(entry);
    }
    std::ofstream(write) << boost::json::serialize(out);
  }
  std::map<std::string, Expected> expected = LoadExpectations();
  ASSERT_EQ(expected.size(), Scenarios().size());
  for (const auto& [user, e] : expected) {
    SCOPED_TRACE(scenario_of_user[user]);
    EXPECT_EQ(actual[user].webhooks, e.webhooks);
    EXPECT_EQ(actual[user].emails, e.emails);
    EXPECT_EQ(actual[user].invalidations, e.invalidations);
    // Each invalidated user's cached key is gone.
    if (e.invalidations > 0) {
      EXPECT_EQ(RedisCommand({"EXISTS", "features:" + user}), "0");
    }
  }
  // Redis itself counts the DELs it served: one per access change, none twice.
  int64_t total_invalidations = 0;
  for (const auto& [user, e] : expected) total_invalidations += e.invalidations;
  EXPECT_EQ(RedisDelCalls(), total_invalidations);
  for (const Mail& m : mails) {
    EXPECT_NE(m.raw.find("Content-Type: text/plain"), std::string::npos);
    EXPECT_NE(m.raw.find("Content-Type: text/html"), std::string::npos);
  }
}

// The rows a channel should carry: every row of the given types (empty: all but alerts).
int64_t TotalExpectedEmails() {
  int64_t n = 0;
  for (const auto& [user, e] : LoadExpectations()) n += static_cast<int64_t>(e.emails.size());
  return n;
}

TEST_F(NotifyDeliveryTest, ReceiverDownForTwentyDeliveriesLosesAndRepeatsNothing) {
  ASSERT_NO_FATAL_FAILURE(StartReceiver(20));
  ASSERT_NO_FATAL_FAILURE(ProcessAllLifecycles());
  auto deliverer = MakeDeliverer(true, 0, false);
  ASSERT_NO_FATAL_FAILURE(DeliverEverything(*deliverer));

  std::map<int64_t, store::OutboxEntry> rows = OutboxById();
  int refused = 0;
  std::map<std::string, int> deliveries_of_id;
  std::map<std::string, std::vector<int64_t>> order_of_user;
  for (const Received& r : ReceivedWebhooks()) {
    if (r.status == 503) {
      ++refused;
      continue;
    }
    ASSERT_TRUE(r.verified) << r.id;
    ++deliveries_of_id[r.id];
    EXPECT_EQ(r.id, "msg_" + std::to_string(r.outbox_id));  // stable across retries
    order_of_user[r.user_id].push_back(r.outbox_id);
  }
  EXPECT_EQ(refused, 20);
  EXPECT_EQ(deliveries_of_id.size(), rows.size());
  for (const auto& [id, row] : rows) {
    EXPECT_EQ(deliveries_of_id["msg_" + std::to_string(id)], 1) << id;
    EXPECT_EQ(row.status, store::OutboxStatus::kDelivered) << id;
  }
  for (const auto& [user, ids] : order_of_user) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << user;
  }
}

TEST_F(NotifyDeliveryTest, SmtpDownThenUpDeliversEveryEmailOnce) {
  int port = StartSmtp();
  smtp_->Stop();
  ASSERT_NO_FATAL_FAILURE(ProcessAllLifecycles());
  auto deliverer = MakeDeliverer(false, port, false);
  for (int pass = 0; pass < 3; ++pass) {
    ASSERT_OK(deliverer->RunOnce());
    clock_.SetUnixSeconds(clock_.NowUnixMicros() / 1'000'000 + 3601);
  }
  EXPECT_TRUE(Mails().empty());
  EXPECT_GT(deliverer->stats().attempts_failed.load(), 0);
  ASSERT_EQ(StartSmtp(port), port);
  ASSERT_NO_FATAL_FAILURE(DeliverEverything(*deliverer));
  std::vector<Mail> mails = Mails();
  std::map<std::string, int> seen;
  for (const Mail& m : mails) ++seen[m.message_id];
  EXPECT_EQ(static_cast<int64_t>(mails.size()), TotalExpectedEmails());
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
}

TEST_F(NotifyDeliveryTest, RedisDownThenUpInvalidatesEveryAccessChangeOnce) {
  ASSERT_NO_FATAL_FAILURE(ProcessAllLifecycles());
  auto deliverer = MakeDeliverer(false, 0, true);
  ASSERT_OK(deliverer->RunOnce());  // no redis-server yet: every attempt fails
  EXPECT_GT(deliverer->stats().attempts_failed.load(), 0);
  for (const auto& [id, row] : OutboxById()) {
    if (row.type == "access.changed") {
      EXPECT_NE(row.status, store::OutboxStatus::kDelivered) << id;
    }
  }
  ASSERT_NO_FATAL_FAILURE(StartRedis());
  ASSERT_NO_FATAL_FAILURE(DeliverEverything(*deliverer));
  int64_t access_changes = 0;
  for (const auto& [id, row] : OutboxById()) access_changes += row.type == "access.changed";
  EXPECT_GT(access_changes, 0);
  EXPECT_EQ(RedisDelCalls(), access_changes);
}

TEST_F(NotifyDeliveryTest, DuplicateAndStaleEventsSendNothing) {
  ASSERT_NO_FATAL_FAILURE(StartReceiver(0));
  ASSERT_NO_FATAL_FAILURE(ProcessAllLifecycles());
  auto deliverer = MakeDeliverer(true, 0, false);
  ASSERT_NO_FATAL_FAILURE(DeliverEverything(*deliverer));
  size_t received = ReceivedWebhooks().size();
  ASSERT_OK_AND_ASSIGN(int64_t outbox_rows, store_->CountOutbox());

  // Every event again (duplicates), and an older snapshot under a new id (stale).
  for (const std::string& scenario : Scenarios()) {
    for (const std::string& line : Lines(scenario)) {
      ASSERT_OK_AND_ASSIGN(store::InsertOutcome outcome, store_->InsertEvent(ToNewEvent(line)));
      EXPECT_EQ(outcome, store::InsertOutcome::kDuplicate);
    }
  }
  std::string first = Lines("c_payment_failed_then_recovered")[1];
  store::NewEvent stale = ToNewEvent(first);
  ASSERT_EQ(stale.type, "customer.subscription.created");
  stale.id = "evt_stale_copy_of_subscription_created";
  ASSERT_OK(store_->InsertEvent(stale));
  ASSERT_NO_FATAL_FAILURE(Drain());
  ASSERT_OK_AND_ASSIGN(store::StoredEvent stored, store_->GetEvent(stale.id));
  EXPECT_EQ(stored.status, store::EventStatus::kStale);

  EXPECT_EQ(store_->CountOutbox().value(), outbox_rows);
  ASSERT_NO_FATAL_FAILURE(DeliverEverything(*deliverer));
  EXPECT_EQ(ReceivedWebhooks().size(), received);
}

TEST_F(NotifyDeliveryTest, OperatorAlertsReachTheAlertUrlAndNoOtherChannel) {
  ASSERT_NO_FATAL_FAILURE(StartReceiver(0));
  PortFileServer alerts({"node", stripehook::testing::NotifyReceiverDir() + "/receiver.js",
                         "--plain", "--log", dir_.File("alerts.jsonl")},
                        dir_.path(), "alerts");
  ASSERT_EQ(alerts.Start(), "");
  ASSERT_OK(EnqueueAlert(*store_, clock_, "event.dead", "evt_1 failed 4 times"));
  std::vector<std::unique_ptr<Channel>> channels;
  channels.push_back(*WebhookChannel::Create(
      {"app", "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/", kSecret, {}}));
  channels.push_back(
      std::make_unique<AlertChannel>("http://127.0.0.1:" + std::to_string(alerts.port()) + "/"));
  OutboxDeliverer deliverer(store_.get(), &clock_, std::move(channels), DeliveryOptions{});
  ASSERT_NO_FATAL_FAILURE(DeliverEverything(deliverer));
  std::string log = ChildProcess::ReadFile(dir_.File("alerts.jsonl"));
  EXPECT_NE(log.find(R"({"text":"[stripehook] event.dead: evt_1 failed 4 times"})"),
            std::string::npos)
      << log;
  EXPECT_TRUE(ReceivedWebhooks().empty());  // the app is not told about operator alerts
}

}  // namespace
}  // namespace stripehook::notify
