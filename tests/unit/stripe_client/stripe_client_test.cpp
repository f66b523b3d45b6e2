// The client against the fake Stripe server (tests/fake_stripe) on loopback.
#include "stripe/client/stripe_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "fake_stripe/fake_stripe_process.h"
#include "support/status_matchers.h"

namespace stripehook::stripe {
namespace {

using std::chrono::milliseconds;
namespace json = boost::json;
constexpr char kKey[] = "sk_test_client_unit_0123456789";

class StripeClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fake_.Start({"--secret-key", kKey})); }

  // A client whose retry waits are recorded instead of slept.
  std::unique_ptr<StripeClient> MakeClient(double rate = 1000, int burst = 100,
                                           int max_attempts = 4) {
    ClientOptions o = MakeClientOptions(kKey, fake_.api_base(), "2026-07-29.dahlia");
    o.retry.max_attempts = max_attempts;
    o.request_timeout = milliseconds(5000);
    o.sleep = [this](milliseconds d) {
      std::lock_guard lock(mu_);
      sleeps_.push_back(d);
    };
    auto budget = RequestBudget::Create(rate, burst);
    auto client = StripeClient::Create(std::move(o), std::move(budget).value());
    EXPECT_OK(client.status());
    return std::move(client).value();
  }

  std::vector<milliseconds> Sleeps() {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

  void PutSubscription(const std::string& id) {
    ASSERT_TRUE(fake_.PutObject(json::object{
        {"id", id}, {"object", "subscription"}, {"status", "active"}, {"created", 1700000000}}));
  }

  testing::FakeStripe fake_;
  std::mutex mu_;
  std::vector<milliseconds> sleeps_;
};

TEST_F(StripeClientTest, CreateRejectsMissingKeyOrBase) {
  auto budget = RequestBudget::Create().value();
  EXPECT_EQ(StripeClient::Create(MakeClientOptions("", "http://x", "v"), budget).status().code(),
            util::StatusCode::kInvalidArgument);
  EXPECT_EQ(StripeClient::Create(MakeClientOptions("sk", "ftp://x", "v"), budget).status().code(),
            util::StatusCode::kInvalidArgument);
  EXPECT_EQ(StripeClient::Create(MakeClientOptions("sk", "http://x", "v"), nullptr).status().code(),
            util::StatusCode::kInvalidArgument);
}

TEST_F(StripeClientTest, GetSendsKeyVersionAndParameters) {
  PutSubscription("sub_get");
  auto client = MakeClient();
  ASSERT_OK_AND_ASSIGN(ApiResponse r, client->Get("/v1/subscriptions/sub_get",
                                                  {{"expand[]", "customer"}}, Priority::kLive));
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body.at("id"), "sub_get");
  EXPECT_FALSE(r.request_id.empty());
  auto reqs = fake_.Requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].authorization, std::string("Bearer ") + kKey);
  EXPECT_EQ(reqs[0].stripe_version, "2026-07-29.dahlia");
  EXPECT_EQ(reqs[0].Param("expand[]"), "customer");
  EXPECT_TRUE(reqs[0].idempotency_key.empty());
}

TEST_F(StripeClientTest, StripeErrorsBecomeStatusWithTheirMessageAndAreNotRetried) {
  auto client = MakeClient();
  auto missing = client->Get("/v1/subscriptions/sub_nope", {}, Priority::kLive);
  EXPECT_EQ(missing.status().code(), util::StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("No such subscription: 'sub_nope'"), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("resource_missing"), std::string::npos);
  EXPECT_EQ(fake_.Requests().size(), 1u);

  ClientOptions o = MakeClientOptions("sk_test_wrong", fake_.api_base(), "");
  auto wrong = StripeClient::Create(o, RequestBudget::Create().value()).value();
  auto denied = wrong->Get("/v1/customers", {}, Priority::kLive);
  EXPECT_EQ(denied.status().code(), util::StatusCode::kUnauthenticated);
  EXPECT_EQ(denied.status().message().find("sk_test_wrong"), std::string::npos);
}

TEST_F(StripeClientTest, HonoursRetryAfterOn429) {
  PutSubscription("sub_429");
  ASSERT_TRUE(fake_.AddFault(
      {{"method", "GET"}, {"path", "/v1/subscriptions"}, {"status", 429}, {"retry_after", 3}}));
  auto client = MakeClient();
  ASSERT_OK_AND_ASSIGN(ApiResponse r,
                       client->Get("/v1/subscriptions/sub_429", {}, Priority::kLive));
  EXPECT_EQ(r.body.at("id"), "sub_429");
  auto reqs = fake_.Requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].status, 429);
  EXPECT_EQ(reqs[1].status, 200);
  // The backoff alone would wait at most 500 ms; the server asked for 3 s.
  ASSERT_EQ(Sleeps().size(), 1u);
  EXPECT_EQ(Sleeps()[0], milliseconds(3000));
}

TEST_F(StripeClientTest, Retries500WithGrowingBackoffThenSucceeds) {
  PutSubscription("sub_500");
  ASSERT_TRUE(fake_.AddFault(
      {{"method", "GET"}, {"path", "/v1/subscriptions"}, {"status", 500}, {"times", 2}}));
  auto client = MakeClient();
  ASSERT_OK(client->Get("/v1/subscriptions/sub_500", {}, Priority::kRepair).status());
  EXPECT_EQ(fake_.Requests().size(), 3u);
  auto sleeps = Sleeps();
  ASSERT_EQ(sleeps.size(), 2u);
  // initial 500 ms then 1000 ms, each with up to 50 % jitter taken off.
  EXPECT_GE(sleeps[0], milliseconds(250));
  EXPECT_LE(sleeps[0], milliseconds(500));
  EXPECT_GE(sleeps[1], milliseconds(500));
  EXPECT_LE(sleeps[1], milliseconds(1000));
}

TEST_F(StripeClientTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  ASSERT_TRUE(fake_.AddFault({{"method", "*"}, {"path", "/v1/"}, {"status", 503}, {"times", 10}}));
  auto client = MakeClient(1000, 100, 3);
  auto r = client->Get("/v1/customers", {}, Priority::kLive);
  EXPECT_EQ(r.status().code(), util::StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("injected fault"), std::string::npos);
  EXPECT_NE(r.status().message().find("HTTP 503"), std::string::npos);
  EXPECT_EQ(fake_.Requests().size(), 3u);
}

TEST_F(StripeClientTest, PostReusesItsIdempotencyKeyOnEveryRetry) {
  ASSERT_TRUE(fake_.AddFault(
      {{"method", "POST"}, {"path", "/v1/checkout/sessions"}, {"status", 500}, {"times", 2}}));
  auto client = MakeClient();
  Params params{{"mode", "payment"},
                {"success_url", "https://app.example/ok"},
                {"line_items[0][price]", "price_pro"},
                {"line_items[0][quantity]", "1"}};
  ASSERT_OK_AND_ASSIGN(ApiResponse r,
                       client->Post("/v1/checkout/sessions", params, Priority::kLive));
  auto reqs = fake_.Requests("/v1/checkout/sessions");
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_FALSE(reqs[0].idempotency_key.empty());
  EXPECT_EQ(reqs[1].idempotency_key, reqs[0].idempotency_key);
  EXPECT_EQ(reqs[2].idempotency_key, reqs[0].idempotency_key);
  EXPECT_EQ(reqs[2].Param("line_items[0][price]"), "price_pro");
  // A second call gets a key of its own.
  ASSERT_OK(client->Post("/v1/checkout/sessions", params, Priority::kLive).status());
  auto after = fake_.Requests("/v1/checkout/sessions");
  ASSERT_EQ(after.size(), 4u);
  EXPECT_NE(after[3].idempotency_key, reqs[0].idempotency_key);
}

TEST_F(StripeClientTest, SameExplicitKeyGivesTheSameObject) {
  auto client = MakeClient();
  Params params{{"mode", "subscription"},
                {"success_url", "https://app.example/ok"},
                {"line_items[0][price]", "price_team"}};
  ASSERT_OK_AND_ASSIGN(auto first,
                       client->Post("/v1/checkout/sessions", params, Priority::kLive, "key-1"));
  ASSERT_OK_AND_ASSIGN(auto second,
                       client->Post("/v1/checkout/sessions", params, Priority::kLive, "key-1"));
  EXPECT_EQ(first.body.at("id"), second.body.at("id"));
  params.emplace_back("client_reference_id", "someone_else");
  auto conflict = client->Post("/v1/checkout/sessions", params, Priority::kLive, "key-1");
  EXPECT_EQ(conflict.status().code(), util::StatusCode::kInvalidArgument);
  EXPECT_NE(conflict.status().message().find("idempotency_error"), std::string::npos);
}

TEST_F(StripeClientTest, TimeoutIsRetriedThenReported) {
  PutSubscription("sub_slow");
  ASSERT_TRUE(fake_.AddFault(
      {{"method", "GET"}, {"path", "/v1/subscriptions"}, {"status", 0}, {"delay_ms", 2500}}));
  ClientOptions o = MakeClientOptions(kKey, fake_.api_base(), "");
  o.request_timeout = milliseconds(800);
  o.sleep = [](milliseconds) {};
  auto client = StripeClient::Create(o, RequestBudget::Create().value()).value();
  ASSERT_OK(client->Get("/v1/subscriptions/sub_slow", {}, Priority::kLive).status());
  EXPECT_EQ(fake_.Requests().size(), 2u);

  ASSERT_TRUE(fake_.AddFault(
      {{"method", "GET"}, {"path", "/v1/subscriptions"}, {"status", 0}, {"delay_ms", 2500}}));
  o.retry.max_attempts = 1;
  auto once = StripeClient::Create(o, RequestBudget::Create().value()).value();
  auto r = once->Get("/v1/subscriptions/sub_slow", {}, Priority::kLive);
  EXPECT_EQ(r.status().code(), util::StatusCode::kDeadlineExceeded) << r.status().ToString();
}

std::string Event(int i) {
  return json::serialize(json::object{
      {"id", "evt_" + std::to_string(100 + i)},
      {"object", "event"},
      {"type", i % 2 == 0 ? "invoice.paid" : "customer.updated"},
      {"created", 1700000000 + i},
      {"data", json::object{{"object", json::object{{"id", "obj_" + std::to_string(i)}}}}}});
}

TEST_F(StripeClientTest, ListFollowsHasMoreNewestFirst) {
  std::string lines;
  for (int i = 0; i < 25; ++i) lines += Event(i) + "\n";
  ASSERT_TRUE(fake_.SeedEvents(lines));
  auto client = MakeClient();
  std::vector<std::string> ids;
  ASSERT_OK(client->List(
      "/v1/events", {{"created[gte]", "1700000003"}}, Priority::kBackfill,
      [&](const json::object& e) {
        ids.emplace_back(e.at("id").as_string());
        return true;
      },
      10));
  ASSERT_EQ(ids.size(), 22u);
  EXPECT_EQ(ids.front(), "evt_124");
  EXPECT_EQ(ids.back(), "evt_103");
  auto reqs = fake_.Requests("/v1/events");
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].Param("starting_after"), "");
  EXPECT_EQ(reqs[1].Param("starting_after"), "evt_115");
  EXPECT_EQ(reqs[2].Param("limit"), "10");

  ASSERT_OK_AND_ASSIGN(
      auto paid, client->ListAll("/v1/events", {{"types[]", "invoice.paid"}}, Priority::kBackfill));
  EXPECT_EQ(paid.size(), 13u);
  int seen = 0;
  ASSERT_OK(client->List("/v1/events", {}, Priority::kBackfill,
                         [&](const json::object&) { return ++seen < 5; }));
  EXPECT_EQ(seen, 5);
  EXPECT_FALSE(
      client->List("/v1/events", {{"limit", "3"}}, Priority::kLive, [](auto&) { return true; })
          .ok());
}

// Several threads share one client and its budget: the fake sees them no faster than the rate.
// Lower-bound check only (a loaded machine makes it slower, never faster).
TEST_F(StripeClientTest, SharedBudgetIsNeverExceeded) {
  PutSubscription("sub_rate");
  auto client = MakeClient(/*rate=*/10, /*burst=*/1);
  constexpr int kThreads = 3, kEach = 6;
  auto start = std::chrono::system_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        EXPECT_OK(client->Get("/v1/subscriptions/sub_rate", {}, static_cast<Priority>(t)).status());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto reqs = fake_.Requests();
  ASSERT_EQ(reqs.size(), static_cast<size_t>(kThreads * kEach));
  double t0 = std::chrono::duration<double>(start.time_since_epoch()).count();
  // 18 requests, one token at start, 10/s: the last cannot start before 1.7 s.
  EXPECT_GE(reqs.back().time - t0, (kThreads * kEach - 1) / 10.0 - 0.05);
}

}  // namespace
}  // namespace stripehook::stripe
