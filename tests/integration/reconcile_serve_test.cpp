// Reconciliation through the real binary against the fake Stripe API: the CLI commands, and the
// scheduler in `serve` driven by the manual clock, with its runs visible in GET /admin/jobs.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "fake_stripe/fake_stripe_process.h"
#include "integration/ingest_harness.h"

namespace stripehook::testing {
namespace {

namespace json = boost::json;
constexpr char kStripeKey[] = "sk_test_reconcile_serve_0123456789";
constexpr char kAdminKey[] = "admin_key_for_reconcile_tests_0123456789";
constexpr int64_t kStart = 1'800'000'000;

class ReconcileServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(stripe_.Start({"--secret-key", kStripeKey}));
    ASSERT_TRUE(stripe_.PutObject(json::parse(R"({"id":"cus_r1","object":"customer",
        "email":"r1@example.com","created":1700000000,"metadata":{"user_id":"user_r1"}})")
                                      .as_object()));
    ASSERT_TRUE(stripe_.PutObject(json::parse(R"({"id":"sub_r1","object":"subscription",
        "customer":"cus_r1","status":"active","created":1700000000,"cancel_at_period_end":false,
        "metadata":{"user_id":"user_r1"},"items":{"object":"list","data":[{"id":"si_r1",
        "quantity":1,"current_period_start":1799000000,"current_period_end":1802000000,
        "price":{"id":"price_pro","product":"prod_pro"}}]}})")
                                      .as_object()));
    config_ = "[testing]\nmanual_clock_start = " + std::to_string(kStart) +
              "\n[processing]\npoll_interval_ms = 5\n[admin]\nadmin_key = \"" + kAdminKey +
              "\"\n[stripe]\nsecret_key = \"" + kStripeKey + "\"\napi_base = \"" +
              stripe_.api_base() + "\"\n[schedule]\nreconcile_seconds = 600\n" +
              "[notify.alerts]\nurl = \"http://127.0.0.1:9/alerts\"\n";
  }

  std::map<std::string, std::string> CliEnv() {
    return {{"DATABASE_URL", "sqlite://" + fx_.db_path},
            {"STRIPE_WEBHOOK_SECRET", kSecret},
            {"STRIPE_SECRET_KEY", kStripeKey}};
  }

  HttpResult Admin(const std::string& method, const std::string& path) {
    HttpClient client(fx_.port());
    return client.Request(method, path, "",
                          {{"Authorization", std::string("Bearer ") + kAdminKey}});
  }

  json::object Job(const std::string& name) {
    HttpResult r = Admin("GET", "/admin/jobs");
    if (r.status != 200) return {};
    json::value list = json::parse(r.body);
    for (const json::value& job : list.at("data").as_array()) {
      if (job.at("name").as_string() == name) return job.as_object();
    }
    return {};
  }

  FakeStripe stripe_;
  ServerFixture fx_;
  std::string config_;
};

TEST_F(ReconcileServeTest, CliReportsThenQueuesRepairsAndCheckUserWorksWithoutKey) {
  std::string config_path = fx_.dir.File("cli.toml");
  std::ofstream(config_path) << "[stripe]\napi_base = \"" << stripe_.api_base() << "\"\n";
  auto [dry_code, dry] =
      RunStripehook({"reconcile", "--dry-run", "--json", "--config", config_path}, CliEnv());
  ASSERT_EQ(dry_code, 0) << dry;
  json::value report = json::parse(dry.substr(dry.find('{')));
  EXPECT_EQ(report.at("missing").as_int64(), 2);
  EXPECT_EQ(report.at("repairs_queued").as_int64(), 0);

  auto [code, out] = RunStripehook({"reconcile", "--config", config_path}, CliEnv());
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("2 repair(s) queued"), std::string::npos) << out;
  DbReader db(fx_.db_path);
  EXPECT_EQ(db.Count("id LIKE 'evt_reconcile_%' AND source = 'reconcile'"), 2);

  std::map<std::string, std::string> no_key = CliEnv();
  no_key.erase("STRIPE_SECRET_KEY");
  auto [check_code, check] =
      RunStripehook({"check-user", "user_r1", "--config", config_path}, no_key);
  EXPECT_EQ(check_code, 0) << check;
  EXPECT_NE(check.find(R"("stripe":"not_configured")"), std::string::npos) << check;
  auto [bad_code, bad] = RunStripehook({"reconcile", "--config", config_path}, no_key);
  EXPECT_EQ(bad_code, 2) << bad;
}

TEST_F(ReconcileServeTest, ScheduledReconcileRunsWhenTheClockSaysAndIsVisibleInAdminApi) {
  ASSERT_TRUE(fx_.Start(config_)) << fx_.server->ReadLog();
  json::object job = Job("reconcile");
  ASSERT_FALSE(job.empty());
  EXPECT_EQ(job.at("runs").as_int64(), 0);
  EXPECT_EQ(job.at("next_run_at").as_int64(), kStart + 600);
  EXPECT_EQ(Job("retry-due-failures").at("interval_seconds").as_int64(), 900);

  HttpClient client(fx_.port());
  ASSERT_EQ(client.Request("POST", "/testing/clock", std::to_string(kStart + 600), {}).status, 200);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (Job("reconcile").at("runs").as_int64() == 0 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  job = Job("reconcile");
  ASSERT_EQ(job.at("runs").as_int64(), 1) << fx_.server->ReadLog();
  const json::object& last = job.at("last_run").as_object();
  EXPECT_EQ(last.at("trigger").as_string(), "schedule");
  EXPECT_EQ(last.at("outcome").as_string(), "ok");
  EXPECT_EQ(last.at("figures").at("missing").as_int64(), 2);
  EXPECT_EQ(last.at("figures").at("repairs_queued").as_int64(), 2);

  // The pipeline applies the repairs; an on-demand reconcile then finds everything in step.
  DbReader db(fx_.db_path);
  for (int i = 0; i < 6000 && db.Count("source = 'reconcile' AND status = 'processed'") < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(db.Count("source = 'reconcile' AND status = 'processed'"), 2);
  // The findings were also queued for the operator's alert URL ([notify.alerts]).
  const char* kFindingAlerts =
      "SELECT count(*) FROM outbox WHERE type = 'operator.alert' AND "
      "json_extract(body, '$.kind') = 'reconcile.finding'";
  EXPECT_EQ(db.QueryInt(kFindingAlerts), 1);
  ASSERT_EQ(client.Request("POST", "/testing/clock", std::to_string(kStart + 660), {}).status, 200);
  HttpResult now = Admin("POST", "/admin/reconcile");
  ASSERT_EQ(now.status, 200) << now.body;
  json::value run = json::parse(now.body);
  EXPECT_EQ(run.at("trigger").as_string(), "manual");
  EXPECT_EQ(run.at("detail").at("health_score").as_int64(), 100);
  EXPECT_EQ(run.at("detail").at("findings").as_array().size(), 0u);
  EXPECT_EQ(db.QueryInt(kFindingAlerts), 1);  // nothing found, nothing raised

  // The admin user check shows Stripe's side of the user, and fix re-syncs from Stripe.
  HttpResult user = Admin("GET", "/admin/users/user_r1");
  ASSERT_EQ(user.status, 200) << user.body;
  const json::value user_json = json::parse(user.body);
  const json::value& stripe_side = user_json.at("stripe");
  ASSERT_TRUE(stripe_side.is_object()) << user.body;
  const json::value* subs = stripe_side.as_object().if_contains("stripe");
  ASSERT_TRUE(subs != nullptr && subs->is_object()) << user.body;
  subs = subs->as_object().if_contains("subscriptions");
  ASSERT_TRUE(subs != nullptr && subs->is_array()) << user.body;
  ASSERT_EQ(subs->as_array().size(), 1u) << user.body;
  EXPECT_EQ(subs->as_array()[0].at("id").as_string(), "sub_r1");
  HttpResult fix = Admin("POST", "/admin/users/user_r1/fix");
  ASSERT_EQ(fix.status, 200) << fix.body;
  EXPECT_EQ(json::parse(fix.body).at("resync").as_string(), "ok") << fix.body;

  EXPECT_EQ(client.Request("POST", "/admin/reconcile", "", {}).status, 401);
  EXPECT_EQ(Admin("POST", "/admin/jobs/no-such-job/run").status, 404);
  HttpResult health = Admin("POST", "/admin/jobs/health-check/run");
  ASSERT_EQ(health.status, 200) << health.body;
  json::value checked = json::parse(health.body);
  EXPECT_EQ(checked.at("outcome").as_string(), "ok");
  EXPECT_EQ(checked.at("message").as_string(), "healthy");  // the admin area's evaluation
  EXPECT_EQ(checked.at("figures").at("dead").as_int64(), 0);
}

TEST_F(ReconcileServeTest, WithoutStripeKeyStripeJobsAreSkippedAndSaySo) {
  ASSERT_TRUE(fx_.Start("[admin]\nadmin_key = \"" + std::string(kAdminKey) + "\"\n"))
      << fx_.server->ReadLog();
  HttpResult r = Admin("POST", "/admin/reconcile");
  ASSERT_EQ(r.status, 200) << r.body;
  json::value run = json::parse(r.body);
  EXPECT_EQ(run.at("outcome").as_string(), "skipped");
  EXPECT_NE(std::string(run.at("message").as_string()).find("no Stripe secret key"),
            std::string::npos);
}

}  // namespace
}  // namespace stripehook::testing
