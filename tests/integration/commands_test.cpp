// The outbound app commands through the real server, against the fake Stripe API: checkout
// (rate limit, idempotency), plan change and cancel reach Stripe with the right parameters.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "fake_stripe/fake_stripe_process.h"
#include "integration/ingest_harness.h"

namespace stripehook::testing {
namespace {

namespace json = boost::json;
constexpr char kAppKey[] = "app_key_for_command_tests_0123456789";
constexpr char kStripeKey[] = "sk_test_commands_0123456789";
constexpr char kUser[] = "user_a_1001";
constexpr char kCustomer[] = "cus_TzC7VANRv7Ul4XK1";
constexpr char kSubscription[] = "sub_1S6mQDcvfNRsLWnDrmFptl7R";

std::string ScenarioPath() {
  return FixturesDir() + "/lifecycles/a_checkout_new_subscription.jsonl";
}

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(stripe_.Start({"--secret-key", kStripeKey, "--seed-events", ScenarioPath()}));
    std::string toml = "[testing]\nmanual_clock_start = 1788256900\n[admin]\napp_key = \"" +
                       std::string(kAppKey) + "\"\n[processing]\npoll_interval_ms = 5\n" +
                       "[stripe]\nsecret_key = \"" + kStripeKey + "\"\napi_base = \"" +
                       stripe_.api_base() +
                       "\"\n[plans.pro]\nprices = [\"price_pro\"]\n"
                       "[plans.team]\nprices = [\"price_team\"]\n";
    ASSERT_TRUE(fx_.Start(toml)) << fx_.server->ReadLog();
    client_ = std::make_unique<HttpClient>(fx_.port());
    // The local state learns the user's customer and subscription from the webhooks.
    std::ifstream in(ScenarioPath());
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      HttpResult r =
          client_->Request("POST", "/webhooks/stripe", line, SignedHeaders(line, 1788256900));
      ASSERT_EQ(r.status, 200) << r.body;
    }
    DbReader db(fx_.db_path);
    for (int i = 0; i < 6000 && db.Count("status = 'pending'") != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(db.Count("status = 'pending'"), 0);
    stripe_.ClearRequests();
  }

  HttpResult Command(const std::string& path, const std::string& body,
                     const std::string& idempotency_key = "") {
    std::vector<std::pair<std::string, std::string>> headers{
        {"Authorization", std::string("Bearer ") + kAppKey}, {"Content-Type", "application/json"}};
    if (!idempotency_key.empty()) headers.emplace_back("Idempotency-Key", idempotency_key);
    return client_->Request("POST", path, body, headers);
  }

  HttpResult Checkout(const std::string& key, const std::string& user = kUser) {
    return Command("/v1/checkout",
                   R"({"user_id":")" + user +
                       R"(","plan":"pro","success_url":"https://app.example/ok",)"
                       R"("cancel_url":"https://app.example/no"})",
                   key);
  }

  FakeStripe stripe_;
  ServerFixture fx_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(CommandsTest, CheckoutCreatesASessionForThePlansPrice) {
  HttpResult r = Checkout("req-1");
  ASSERT_EQ(r.status, 200) << r.body;
  json::object answer = json::parse(r.body).as_object();
  EXPECT_TRUE(answer.at("id").as_string().starts_with("cs_test_"));
  EXPECT_EQ(answer.at("price"), "price_pro");
  auto reqs = stripe_.Requests("/v1/checkout/sessions");
  ASSERT_EQ(reqs.size(), 1u);
  const FakeRequest& sent = reqs[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.Param("mode"), "subscription");
  EXPECT_EQ(sent.Param("line_items[0][price]"), "price_pro");
  EXPECT_EQ(sent.Param("client_reference_id"), kUser);
  EXPECT_EQ(sent.Param("customer"), kCustomer);
  EXPECT_EQ(sent.Param("success_url"), "https://app.example/ok");
  EXPECT_EQ(sent.Param("cancel_url"), "https://app.example/no");
  EXPECT_FALSE(sent.idempotency_key.empty());
  EXPECT_EQ(sent.authorization, std::string("Bearer ") + kStripeKey);
}

TEST_F(CommandsTest, SameRequestKeyGivesTheSameSession) {
  HttpResult first = Checkout("same-key");
  HttpResult again = Checkout("same-key");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(first.body).at("id"), json::parse(again.body).at("id"));
  EXPECT_EQ(stripe_.Requests("/v1/checkout/sessions").size(), 1u);
  HttpResult other = Checkout("other-key");
  ASSERT_EQ(other.status, 200);
  EXPECT_NE(json::parse(first.body).at("id"), json::parse(other.body).at("id"));
}

// Five per user per minute; the service's clock is a manual one and does not move here.
TEST_F(CommandsTest, CheckoutIsRateLimitedPerUser) {
  for (int i = 0; i < 5; ++i) {
    HttpResult r = Checkout("k" + std::to_string(i));
    ASSERT_EQ(r.status, 200) << i << " " << r.body;
  }
  HttpResult sixth = Checkout("k5");
  EXPECT_EQ(sixth.status, 429) << sixth.body;
  EXPECT_NE(sixth.body.find("rate_limited"), std::string::npos);
  EXPECT_FALSE(sixth.Header("retry-after").empty());
  EXPECT_EQ(Checkout("k0").status, 200);  // a replay of a known key is not a new checkout
  EXPECT_EQ(Checkout("k0", "user_other").status, 200);  // another user has a window of its own
  EXPECT_EQ(stripe_.Requests("/v1/checkout/sessions").size(), 6u);
  ASSERT_EQ(client_->Request("POST", "/testing/clock", "1788256961").status, 200);
  EXPECT_EQ(Checkout("k6").status, 200);  // a minute later
}

TEST_F(CommandsTest, CheckoutRejectsBadRequestsWithoutCallingStripe) {
  EXPECT_EQ(Command("/v1/checkout", R"({"user_id":"u","plan":"gold"})").status, 400);
  EXPECT_EQ(Command("/v1/checkout", R"({"plan":"pro"})").status, 400);
  EXPECT_EQ(Command("/v1/checkout", "not json").status, 400);
  EXPECT_EQ(client_->Request("POST", "/v1/checkout", "{}").status, 401);
  EXPECT_TRUE(stripe_.Requests().empty());
}

TEST_F(CommandsTest, PlanChangeSendsTheNewPriceWithProrations) {
  HttpResult r =
      Command(std::string("/v1/subscriptions/") + kSubscription + "/plan", R"({"plan":"team"})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto reqs = stripe_.Requests(std::string("/v1/subscriptions/") + kSubscription);
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[1].method, "POST");
  EXPECT_EQ(reqs[1].Param("items[0][price]"), "price_team");
  EXPECT_EQ(reqs[1].Param("proration_behavior"), "create_prorations");
  EXPECT_TRUE(reqs[1].Param("items[0][id]").starts_with("si_"));
  json::object sub = stripe_.GetObject(kSubscription);
  EXPECT_EQ(sub.at("items").at("data").at(0).at("price").at("id"), "price_team");
  EXPECT_EQ(Command("/v1/subscriptions/sub_unknown/plan", R"({"plan":"team"})").status, 404);
  EXPECT_EQ(
      Command(std::string("/v1/subscriptions/") + kSubscription + "/plan", R"({"plan":"nope"})")
          .status,
      400);
}

TEST_F(CommandsTest, CancelAtOnceDeletesTheUsersSubscriptionAtStripe) {
  HttpResult r = Command(std::string("/v1/users/") + kUser + "/cancel", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("subscriptions").at(0), kSubscription);
  auto reqs = stripe_.Requests(std::string("/v1/subscriptions/") + kSubscription);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "DELETE");
  EXPECT_EQ(stripe_.GetObject(kSubscription).at("status"), "canceled");
}

TEST_F(CommandsTest, CancelAtPeriodEndSetsTheFlag) {
  HttpResult r =
      Command(std::string("/v1/users/") + kUser + "/cancel", R"({"at_period_end":true})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto reqs = stripe_.Requests(std::string("/v1/subscriptions/") + kSubscription);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].Param("cancel_at_period_end"), "true");
  EXPECT_EQ(stripe_.GetObject(kSubscription).at("cancel_at_period_end"), true);
  EXPECT_EQ(stripe_.GetObject(kSubscription).at("status"), "active");
}

TEST_F(CommandsTest, StripeDownAnswers502AndNamesStripe) {
  ASSERT_TRUE(
      stripe_.AddFault({{"method", "*"}, {"path", "/v1/"}, {"status", 500}, {"times", 20}}));
  HttpResult r = Command(std::string("/v1/users/") + kUser + "/cancel", "{}");
  EXPECT_EQ(r.status, 502) << r.body;
  EXPECT_NE(r.body.find("stripe_error"), std::string::npos);
}

TEST(CommandsWithoutStripeKeyTest, Answer503NotConfigured) {
  ServerFixture fx;
  ASSERT_TRUE(fx.Start(std::string("[admin]\napp_key = \"") + kAppKey + "\"\n"))
      << fx.server->ReadLog();
  HttpClient client(fx.port());
  HttpResult r = client.Request("POST", "/v1/users/u1/cancel", "{}",
                                {{"Authorization", std::string("Bearer ") + kAppKey}});
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("stripe_not_configured"), std::string::npos);
  EXPECT_EQ(client.Request("POST", "/v1/checkout", "{}").status, 401);
}

}  // namespace
}  // namespace stripehook::testing
