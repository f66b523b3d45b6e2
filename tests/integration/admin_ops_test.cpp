// Operations endpoints against the real binary: GET /webhooks/health and its alerts, GET /metrics
// checked by `promtool check metrics`, and docs/openapi.yaml against the routes the running
// server registers.
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "integration/admin_harness.h"

namespace stripehook::testing {
namespace {

namespace json = boost::json;

int CountOccurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Polls the server log (up to 30 s) for `needle`.
bool LogEventually(const ServerProcess& server, const std::string& needle) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (server.ReadLog().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

TEST_F(AdminTest, WebhookHealthGoesUnhealthyAndAlerts) {
  Start();
  DeliverScenario();
  HttpResult healthy = client_->Get("/webhooks/health");  // no key: load balancers call it
  ASSERT_EQ(healthy.status, 200) << healthy.body;
  json::object h = json::parse(healthy.body).as_object();
  EXPECT_EQ(h.at("status").as_string(), "healthy");
  EXPECT_EQ(h.at("received").as_int64(), static_cast<int64_t>(ScenarioA().size()));

  // 2 failed of 7 (29 %) is over the 20 % line.
  Deliver(FailingEvent("evt_health_fail_1", "in_fail_1"));
  Deliver(FailingEvent("evt_health_fail_2", "in_fail_2"));
  WaitUntil("status = 'failed'", 2);
  HttpResult unhealthy = client_->Get("/webhooks/health");
  EXPECT_EQ(unhealthy.status, 503) << unhealthy.body;
  json::object u = json::parse(unhealthy.body).as_object();
  EXPECT_EQ(u.at("status").as_string(), "unhealthy");
  EXPECT_EQ(u.at("failed").as_int64(), 2);
  EXPECT_TRUE(LogEventually(*fx_.server, "\"alert\":\"webhook_health\""));

  // Dead events raise their own alert at the next evaluation.
  Admin("POST", "/admin/events/evt_health_fail_1/retry");
  WaitUntil("status = 'dead'", 1);
  client_->Get("/webhooks/health");
  EXPECT_TRUE(LogEventually(*fx_.server, "\"alert\":\"dead_events\""));
}

// With an operator alert URL configured, the same alerts are also queued for it (as outbox rows
// the notify deliverer sends; their delivery is tested in integration_notify_delivery_test).
TEST_F(AdminTest, HealthAlertsAreQueuedForTheOperatorAlertUrl) {
  Start("\n[notify.alerts]\nurl = \"http://127.0.0.1:9/alerts\"\n");
  DeliverScenario();
  EXPECT_EQ(client_->Get("/webhooks/health").status, 200);  // the level a drop is measured from
  Deliver(FailingEvent("evt_health_fail_1", "in_fail_1"));
  Deliver(FailingEvent("evt_health_fail_2", "in_fail_2"));
  WaitUntil("status = 'failed'", 2);
  EXPECT_EQ(client_->Get("/webhooks/health").status, 503);
  ASSERT_TRUE(LogEventually(*fx_.server, "\"alert\":\"webhook_health\""));
  DbReader db(fx_.db_path);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM outbox WHERE type = 'operator.alert' AND "
                        "json_extract(body, '$.kind') = 'health.webhook_health'"),
            1);
}

TEST_F(AdminTest, SignatureFailuresOverTheHourlyRateAlertOnce) {
  Start("signature_failures_alert_per_hour = 3\n");
  client_->Get("/webhooks/health");  // baseline
  std::string body = EventBody("evt_badsig_1");
  for (int i = 0; i < 5; ++i) {
    HttpResult r =
        client_->Request("POST", "/webhooks/stripe", body, {{"Stripe-Signature", "t=1,v1=00"}});
    ASSERT_EQ(r.status, 400);
  }
  client_->Get("/webhooks/health");
  client_->Get("/webhooks/health");
  ASSERT_TRUE(LogEventually(*fx_.server, "\"alert\":\"signature_failures\""));
  EXPECT_EQ(CountOccurrences(fx_.server->ReadLog(), "\"alert\":\"signature_failures\""), 1);
}

std::string RunCapture(const std::string& command, int* code) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[4096];
  size_t n = 0;
  while ((n = ::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  *code = ::pclose(pipe);
  return out;
}

TEST_F(AdminTest, MetricsPassPromtoolAndCountWhatHappened) {
  Start();
  DeliverScenario();
  Deliver(ScenarioA().front());  // duplicate
  Admin("GET", "/admin/events");
  client_->Get("/admin/events");  // 401
  HttpResult m = client_->Get("/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.Header("content-type").find("text/plain"), std::string::npos);
  const std::string& text = m.body;
  for (const char* needle :
       {"stripehook_webhooks_total{outcome=\"accepted\",reason=\"\"} 5",
        "stripehook_webhooks_total{outcome=\"duplicate\",reason=\"\"} 1",
        "stripehook_http_requests_total{route=\"/admin/events\",method=\"GET\",status=\"401\"} 1",
        "stripehook_http_requests_total{route=\"/webhooks/stripe\",method=\"POST\",status=\"200\"} "
        "6",
        "stripehook_events_processed_total{type=\"customer.created\",outcome=\"processed\"} 1",
        "stripehook_queue_depth 0", "stripehook_http_requests_in_flight ",
        "stripehook_store_commit_batch_size_count",
        "stripehook_store_commit_duration_seconds_bucket",
        "stripehook_http_request_duration_seconds_bucket", "stripehook_outbox_backlog",
        "stripehook_queue_oldest_pending_age_seconds 0", "stripehook_events_dead 0",
        "stripehook_event_retries_total 0", "stripehook_admin_auth_failures_total 1"}) {
    EXPECT_NE(text.find(needle), std::string::npos) << needle << "\n" << text;
  }
  std::string file = fx_.dir.File("scrape.prom");
  std::ofstream(file) << text;
  int code = -1;
  std::string out = RunCapture("promtool check metrics < '" + file + "' 2>&1", &code);
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out.find("error"), std::string::npos) << out;
}

// "/v1/access/{user_id}" → method set, from docs/openapi.yaml's `paths:` (two-space keys, four-
// space methods: the layout the file keeps).
std::set<std::string> DocumentedRoutes() {
  std::ifstream in(std::string(STRIPEHOOK_SOURCE_DIR) + "/docs/openapi.yaml");
  std::set<std::string> routes;
  std::string line, path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line.rfind("paths:", 0) == 0) {
      in_paths = true;
    } else if (!line.empty() && line[0] != ' ' && line[0] != '#') {
      in_paths = false;
    } else if (in_paths && line.rfind("  /", 0) == 0 && line.back() == ':') {
      path = line.substr(2, line.size() - 3);
      if (path.size() > 1 && path.front() == '"') path = path.substr(1, path.size() - 2);
    } else if (in_paths && line.size() > 4 && line.rfind("    ", 0) == 0 && line[4] != ' ') {
      std::string key = line.substr(4, line.find(':') - 4);
      for (const char* m : {"get", "post", "put", "patch", "delete", "head"}) {
        if (key != m) continue;
        std::string upper;
        for (char c : key) upper += static_cast<char>(std::toupper(c));
        routes.insert(upper + " " + path);
      }
    }
  }
  return routes;
}

TEST_F(AdminTest, OpenApiDescribesEveryRegisteredRouteAndNoOther) {
  Start();
  json::object list = AdminJson("GET", "/admin/routes");
  std::set<std::string> registered;
  for (const json::value& r : list.at("data").as_array()) {
    std::string path(r.as_object().at("path").as_string());
    if (path.rfind("/testing/", 0) == 0) continue;  // test-only, never in production
    // A trailing wildcard (static files) is documented as a {path} parameter.
    if (path.size() >= 2 && path.substr(path.size() - 2) == "/*") {
      path = path.substr(0, path.size() - 1) + "{path}";
    }
    registered.insert(std::string(r.as_object().at("method").as_string()) + " " + path);
  }
  std::set<std::string> documented = DocumentedRoutes();
  ASSERT_FALSE(documented.empty());
  for (const std::string& r : registered) {
    EXPECT_TRUE(documented.count(r)) << r << " is served but not in docs/openapi.yaml";
  }
  for (const std::string& r : documented) {
    EXPECT_TRUE(registered.count(r)) << r << " is in docs/openapi.yaml but not served";
  }
}

}  // namespace
}  // namespace stripehook::testing
