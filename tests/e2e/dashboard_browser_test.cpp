// The dashboard in a real browser: Debian's chromium, driven by playwright-core (dashboard.js),
// against the real stripehook binary on a real SQLite file. This test starts the server, delivers
// signed webhooks (a whole checkout lifecycle and one event the billing core rejects), waits for
// the pipeline, then runs the browser script and checks on disk what its Retry click did.
// Screenshots: <build>/e2e-artifacts/dashboard/*.png.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "integration/ingest_harness.h"

namespace stripehook::testing {
namespace {

constexpr char kAdminKey[] = "admin_e2e_key_0123456789abcdef";
constexpr char kFailedEvent[] = "evt_e2e_bad_subscription";
// From tests/fixtures/lifecycles/a_checkout_new_subscription.*.
constexpr char kLifecycle[] = "/lifecycles/a_checkout_new_subscription.jsonl";
constexpr char kUserId[] = "user_a_1001";
constexpr char kUserEmail[] = "ava.lopez@example.com";
constexpr char kCustomer[] = "cus_TzC7VANRv7Ul4XK1";
constexpr char kSubscription[] = "sub_1S6mQDcvfNRsLWnDrmFptl7R";

// A handled type whose object is of the wrong kind: billing::Apply answers kError, so the event
// is `failed`, and fails again on every retry.
std::string RejectedEventBody() {
  return std::string(R"({"id":")") + kFailedEvent +
         R"(","object":"event","api_version":"2026-07-29.dahlia","created":1788256900,)"
         R"("livemode":false,"type":"customer.subscription.updated",)"
         R"("data":{"object":{"id":"cus_e2e_not_a_subscription","object":"customer"}}})";
}

std::vector<std::string> LifecycleBodies() {
  std::ifstream in(FixturesDir() + kLifecycle);
  std::vector<std::string> bodies;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) bodies.push_back(line);
  }
  return bodies;
}

std::string FirstId(const std::string& body) {
  size_t at = body.find("\"id\": \"evt_");
  if (at == std::string::npos) return "";
  size_t start = at + 7;
  return body.substr(start, body.find('"', start) - start);
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Runs a command; returns {exit code, combined output}.
std::pair<int, std::string> RunCommand(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = ::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class DashboardBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fixture_.env["STRIPEHOOK_ADMIN_KEY"] = kAdminKey;
    // Two attempts: the Retry pressed in the browser is the last, so the event turns `dead`.
    // The long backoff keeps the pipeline from retrying it on its own meanwhile.
    ASSERT_TRUE(fixture_.Start("[processing]\nmax_attempts = 2\nbackoff_seconds = [3600]\n"))
        << fixture_.server->ReadLog();
    client_ = std::make_unique<HttpClient>(fixture_.port());
  }

  int Deliver(const std::string& body) {
    return client_->Request("POST", "/webhooks/stripe", body, SignedHeaders(body, UnixNow()))
        .status;
  }

  // Polls the database file (not the server) until `sql` gives `want`, up to 30 s.
  bool WaitFor(const std::string& sql, int64_t want) {
    DbReader db(fixture_.db_path);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (db.QueryInt(sql) == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  ServerFixture fixture_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(DashboardBrowserTest, SignInEventsRetryAndUserPage) {
  HttpResult probe = client_->Request("GET", "/admin/events?limit=1", "",
                                      {{"Authorization", std::string("Bearer ") + kAdminKey}});
  if (probe.status == 404) GTEST_SKIP() << "this build serves no admin API (/admin/events)";
  ASSERT_EQ(probe.status, 200) << probe.body;

  std::vector<std::string> bodies = LifecycleBodies();
  ASSERT_EQ(bodies.size(), 5u);
  for (const std::string& body : bodies) ASSERT_EQ(Deliver(body), 200);
  ASSERT_EQ(Deliver(RejectedEventBody()), 200);
  ASSERT_TRUE(WaitFor("SELECT count(*) FROM events WHERE status = 'pending'", 0));
  ASSERT_TRUE(
      WaitFor(std::string("SELECT attempts FROM events WHERE status = 'failed' AND id = '") +
                  kFailedEvent + "'",
              1));

  std::string shots = BinaryDir() + "/e2e-artifacts/dashboard";
  std::filesystem::remove_all(shots);
  std::filesystem::create_directories(shots);
  std::string command = "env STRIPEHOOK_URL=http://127.0.0.1:" + std::to_string(fixture_.port()) +
                        " ADMIN_KEY=" + kAdminKey + " WEBHOOK_SECRET=" + kSecret +
                        " SCREENSHOT_DIR=" + Quote(shots) + " FAILED_EVENT=" + kFailedEvent +
                        " OK_EVENT=" + FirstId(bodies[0]) + " USER_QUERY=" + kUserEmail +
                        " USER_ID=" + kUserId + " CUSTOMER_ID=" + kCustomer +
                        " SUBSCRIPTION_ID=" + kSubscription + " " + Quote(STRIPEHOOK_NODE) + " " +
                        Quote(SourceDir() + "/tests/e2e/dashboard.js");
  auto [code, output] = RunCommand(command);
  EXPECT_EQ(code, 0) << output << "\nscreenshots: " << shots;
  std::cout << output;

  // The click really reached the server: the second attempt ran and was the last.
  DbReader db(fixture_.db_path);
  EXPECT_EQ(
      db.QueryInt(std::string("SELECT attempts FROM events WHERE status = 'dead' AND id = '") +
                  kFailedEvent + "'"),
      2);
  EXPECT_TRUE(std::filesystem::exists(shots + "/06-user.png"));
}

}  // namespace
}  // namespace stripehook::testing
