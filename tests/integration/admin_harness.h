#pragma once

// A running server with an admin key, a manual clock and lifecycle scenario A delivered; helpers
// for the admin API tests (admin_*_test.cpp).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/ingest_harness.h"
#include "support/test_paths.h"

namespace stripehook::testing {

inline constexpr char kAdminKey[] = "admin_key_for_admin_tests_0123456789";
// Scenario A's last event time: the manual clock starts here.
inline constexpr int64_t kScenarioNow = 1788256810;
inline constexpr char kUser[] = "user_a_1001";
inline constexpr char kCustomer[] = "cus_TzC7VANRv7Ul4XK1";
inline constexpr char kEmail[] = "ava.lopez@example.com";
inline constexpr char kSubscription[] = "sub_1S6mQDcvfNRsLWnDrmFptl7R";

inline std::vector<std::string> ScenarioA() {
  std::ifstream in(FixturesDir() + "/lifecycles/a_checkout_new_subscription.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// An event the billing core refuses (its data.object is not what the type expects): it fails.
inline std::string FailingEvent(const std::string& id, const std::string& object_id) {
  return R"({"id":")" + id + R"(","object":"event","type":"customer.subscription.updated",)" +
         R"("created":)" + std::to_string(kScenarioNow) +
         R"(,"livemode":false,"data":{"object":{"id":")" + object_id +
         R"(","object":"invoice","customer":")" + kCustomer + R"("}}})";
}

class AdminTest : public ::testing::Test {
 protected:
  // max_attempts 2 with a long backoff: a failing event stays `failed` until retried by hand.
  std::string Config(const std::string& extra = "") {
    return "[testing]\nmanual_clock_start = " + std::to_string(kScenarioNow) +
           "\n[admin]\nadmin_key = \"" + kAdminKey + "\"\n" + extra +
           "[processing]\npoll_interval_ms = 5\nmax_attempts = 2\nbackoff_seconds = [86400]\n"
           "[plans.pro]\nprices = [\"price_pro\"]\n";
  }
  void Start(const std::string& extra = "") {
    ASSERT_TRUE(fx_.Start(Config(extra))) << fx_.server->ReadLog();
    client_ = std::make_unique<HttpClient>(fx_.port());
  }

  HttpResult Admin(const std::string& method, const std::string& path) {
    return client_->Request(method, path, "",
                            {{"Authorization", std::string("Bearer ") + kAdminKey}});
  }
  boost::json::object AdminJson(const std::string& method, const std::string& path,
                                int want_status = 200) {
    HttpResult r = Admin(method, path);
    EXPECT_EQ(r.status, want_status) << method << " " << path << ": " << r.body;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(r.body, ec);
    if (ec || !v.is_object()) return {};
    return v.as_object();
  }
  // The error code of a JSON error answer, checking its status.
  std::string ErrorCode(const std::string& method, const std::string& path, int want_status) {
    boost::json::object o = AdminJson(method, path, want_status);
    if (!o.contains("error")) return "";
    return std::string(o.at("error").as_object().at("code").as_string());
  }

  void Deliver(const std::string& body) {
    HttpResult r =
        client_->Request("POST", "/webhooks/stripe", body, SignedHeaders(body, kScenarioNow));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void DeliverScenario() {
    for (const std::string& e : ScenarioA()) Deliver(e);
    WaitUntil("status = 'pending'", 0);
  }
  void SetClock(int64_t now) {
    ASSERT_EQ(client_->Request("POST", "/testing/clock", std::to_string(now)).status, 200);
  }

  // Polls the database (up to 30 s) until `count(where) == want`.
  void WaitUntil(const std::string& where, int64_t want) {
    DbReader db(fx_.db_path);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (db.Count(where) != want && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(db.Count(where), want) << where;
  }

  ServerFixture fx_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace stripehook::testing
