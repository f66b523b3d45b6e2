// The real `stripehook serve` on PostgreSQL (DATABASE_URL=postgresql://...): the admin API lists,
// filters and pages the inbox, counts it and cleans it up; the outbox is delivered to the app
// (the node Standard Webhooks receiver) and listed behind the admin key. The SQLite versions of
// these checks are admin_api_test.cpp and notify_serve_test.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "integration/admin_harness.h"
#include "notify_servers.h"
#include "support/postgres_cluster.h"

namespace stripehook::testing {
namespace {

namespace json = boost::json;

constexpr char kAppSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

PostgresCluster* SharedCluster() { return SharedPostgresCluster(); }

std::vector<std::string> Ids(const json::object& list) {
  std::vector<std::string> ids;
  for (const json::value& e : list.at("data").as_array()) {
    ids.emplace_back(e.as_object().at("id").as_string());
  }
  return ids;
}

class PostgresServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = SharedCluster()->CreateDatabase();
    ASSERT_FALSE(url_.empty()) << SharedCluster()->error();
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->Terminate(), 0) << server_->ReadLog();
    }
  }

  // Starts serve on this test's database with `toml` as its config file.
  void Serve(const std::string& toml) {
    std::ofstream(dir_.File("stripehook.toml"))
        << toml << "[plans.pro]\nprices = [\"price_pro\"]\n";
    std::map<std::string, std::string> env{{"STRIPE_WEBHOOK_SECRET", kSecret},
                                           {"DATABASE_URL", url_},
                                           {"STRIPEHOOK_LISTEN", "127.0.0.1:0"},
                                           {"STRIPEHOOK_ADMIN_KEY", kAdminKey}};
    server_ = std::make_unique<ServerProcess>(
        dir_.File("serve.log"), env,
        std::vector<std::string>{"serve", "--config", dir_.File("stripehook.toml")});
    ASSERT_TRUE(server_->Start()) << server_->ReadLog();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  void DeliverScenario(int64_t signed_at) {
    for (const std::string& e : ScenarioA()) {
      HttpResult r = client_->Request("POST", "/webhooks/stripe", e, SignedHeaders(e, signed_at));
      ASSERT_EQ(r.status, 200) << r.body;
    }
  }
  int64_t Query(const std::string& sql) { return PostgresCluster::QueryInt(url_, sql); }
  // The outbox as text, for failure messages.
  std::string OutboxRows() {
    PGconn* conn = PQconnectdb(url_.c_str());
    PGresult* res =
        PQexec(conn,
               "SELECT string_agg(concat_ws(' ', seq, event_id, type, user_id, status, "
               "attempts, last_error, channels_done), E'\\n' ORDER BY seq) FROM outbox");
    std::string rows = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1
                           ? PQgetvalue(res, 0, 0)
                           : PQerrorMessage(conn);
    PQclear(res);
    PQfinish(conn);
    return rows;
  }
  // Polls PostgreSQL (up to 30 s) until `sql` answers `want`.
  void WaitUntil(const std::string& sql, int64_t want) {
    WaitFor([&] { return Query(sql) == want; });
    ASSERT_EQ(Query(sql), want) << sql << "\n" << server_->ReadLog();
  }

  json::object AdminJson(const std::string& method, const std::string& path, int want = 200) {
    HttpResult r = client_->Request(method, path, "", {{"X-Admin-Key", kAdminKey}});
    EXPECT_EQ(r.status, want) << method << " " << path << ": " << r.body;
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return !ec && v.is_object() ? v.as_object() : json::object{};
  }

  TempDir dir_;
  std::string url_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(PostgresServeTest, AdminListsCountsAndCleansUpTheInbox) {
  Serve("[testing]\nmanual_clock_start = " + std::to_string(kScenarioNow) + "\n");
  DeliverScenario(kScenarioNow);
  const auto n = static_cast<int64_t>(ScenarioA().size());
  WaitUntil("SELECT count(*) FROM events WHERE status IN ('processed', 'ignored', 'stale')", n);

  std::vector<std::string> paged;
  std::string path = "/admin/events?limit=2";
  for (int page = 0; page < 20; ++page) {
    json::object list = AdminJson("GET", path);
    ASSERT_EQ(list.at("object").as_string(), "list");
    for (std::string& id : Ids(list)) paged.push_back(id);
    if (!list.at("has_more").as_bool()) break;
    path = "/admin/events?limit=2&starting_after=" + paged.back();
  }
  std::vector<std::string> newest_first;
  for (const std::string& e : ScenarioA()) {
    newest_first.insert(newest_first.begin(),
                        std::string(json::parse(e).as_object().at("id").as_string()));
  }
  EXPECT_EQ(paged, newest_first);
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?type=customer.created")).size(), 1u);
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?customer=" + std::string(kCustomer))).size(),
            static_cast<size_t>(n));
  const std::string now = std::to_string(kScenarioNow);
  EXPECT_EQ(Ids(AdminJson("GET", "/admin/events?received_gte=" + now)).size(),
            static_cast<size_t>(n));
  EXPECT_TRUE(Ids(AdminJson("GET", "/admin/events?received_lt=" + now)).empty());
  EXPECT_EQ(AdminJson("GET", "/admin/events?starting_after=evt_unknown", 400).count("error"), 1u);

  json::object stats = AdminJson("GET", "/admin/stats?window=24h");
  const json::object& events = stats.at("events").as_object();
  EXPECT_EQ(events.at("received").as_int64(), n);
  EXPECT_EQ(events.at("processed").as_int64() + events.at("ignored").as_int64() +
                events.at("stale").as_int64(),
            n);
  EXPECT_EQ(stats.at("processing_latency_seconds").as_object().at("count").as_int64(), n);

  const char* kObjectsWithSnapshot =
      "SELECT count(DISTINCT object_id) FROM events WHERE status = 'processed'";
  const int64_t objects = Query(kObjectsWithSnapshot);
  EXPECT_EQ(AdminJson("POST", "/admin/cleanup?older_than=30d").at("deleted").as_int64(), 0);
  ASSERT_EQ(
      client_->Request("POST", "/testing/clock", std::to_string(kScenarioNow + 31 * 86400)).status,
      200);
  int64_t deleted = AdminJson("POST", "/admin/cleanup?older_than=30d").at("deleted").as_int64();
  EXPECT_GT(deleted, 0);
  EXPECT_EQ(Query("SELECT count(*) FROM events"), n - deleted);
  EXPECT_EQ(Query(kObjectsWithSnapshot), objects);
  EXPECT_EQ(AdminJson("POST", "/admin/cleanup?older_than=30d").at("deleted").as_int64(), 0);
}

TEST_F(PostgresServeTest, OutboxIsDeliveredToTheAppAndListedBehindTheAdminKey) {
  PortFileServer receiver({"node", NotifyReceiverDir() + "/receiver.js", "--secret", kAppSecret,
                           "--log", dir_.File("received.jsonl")},
                          dir_.path(), "receiver");
  ASSERT_EQ(receiver.Start(), "") << "run scripts/deps.sh for the receiver's npm packages";
  // The manual clock holds time at the scenario's end: what is produced is exactly what
  // notify_expectations.json lists, with no expiry noticed later in real time.
  Serve("[testing]\nmanual_clock_start = " + std::to_string(kScenarioNow) +
        "\n[notify]\npoll_interval_ms = 20\n[[notify.webhooks]]\nurl = \"http://127.0.0.1:" +
        std::to_string(receiver.port()) + "/\"\nsecret = \"" + kAppSecret + "\"\n");
  DeliverScenario(kScenarioNow);
  const std::vector<std::string> expected = {"access.changed", "subscription.created",
                                             "payment.succeeded"};
  WaitUntil("SELECT count(*) FROM outbox WHERE status = 'delivered'", 3);
  EXPECT_EQ(Query("SELECT count(*) FROM outbox"), 3) << OutboxRows();
  // The receiver logs before it answers: every delivered row is in its log.
  std::vector<json::object> received;
  std::ifstream in(dir_.File("received.jsonl"));
  for (std::string line; std::getline(in, line);) received.push_back(json::parse(line).as_object());
  ASSERT_EQ(received.size(), expected.size());
  for (size_t i = 0; i < received.size(); ++i) {
    EXPECT_TRUE(received[i].at("verified").as_bool()) << received[i];
    EXPECT_EQ(received[i].at("type").as_string(), expected[i]) << received[i];
  }

  EXPECT_EQ(client_->Get("/admin/outbox").status, 401);
  json::object page = AdminJson("GET", "/admin/outbox?limit=2");
  EXPECT_EQ(page.at("data").as_array().size(), 2u);
  EXPECT_EQ(page.at("has_more"), true);
  EXPECT_EQ(page.at("data").at(0).at("status"), "delivered");
  AdminJson("POST", "/admin/outbox/1/retry", 409);  // delivered rows are not retried
  AdminJson("POST", "/admin/outbox/999/retry", 404);
  receiver.Stop();
}

}  // namespace
}  // namespace stripehook::testing
