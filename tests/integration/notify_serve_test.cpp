// `stripehook serve` with a [notify] section delivers: a lifecycle sent over HTTP reaches the
// node Standard Webhooks receiver; the admin outbox endpoints list and requeue behind the admin
// key; `stripehook outbox list` reads the same rows; a bad [notify] key stops start-up.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "notify_servers.h"
#include "stripe/signature.h"
#include "support/http_client.h"
#include "support/server_process.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace stripehook::testing {
namespace {

constexpr char kStripeSecret[] = "whsec_serve_notify_test_secret";
constexpr char kAppSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kAdminKey[] = "admin_key_for_notify_serve_test_0123456789";

class NotifyServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    receiver_ = std::make_unique<PortFileServer>(
        std::vector<std::string>{"node", NotifyReceiverDir() + "/receiver.js", "--secret",
                                 kAppSecret, "--log", dir_.File("received.jsonl")},
        dir_.path(), "receiver");
    ASSERT_EQ(receiver_->Start(), "") << "run scripts/deps.sh for the receiver's npm packages";
  }

  std::unique_ptr<ServerProcess> Serve(const std::string& notify_toml) {
    // The database is named in the file too, so that the CLI run later finds it.
    std::ofstream(dir_.File("stripehook.toml"))
        << "[database]\nurl = \"sqlite://" << dir_.File("db.sqlite") << "\"\n"
        << "[plans.pro]\nprices = [\"price_pro\"]\n"
        << notify_toml;
    std::map<std::string, std::string> env{{"STRIPE_WEBHOOK_SECRET", kStripeSecret},
                                           {"DATABASE_URL", "sqlite://" + dir_.File("db.sqlite")},
                                           {"STRIPEHOOK_LISTEN", "127.0.0.1:0"},
                                           {"STRIPEHOOK_ADMIN_KEY", kAdminKey}};
    return std::make_unique<ServerProcess>(
        dir_.File("serve.log"), env,
        std::vector<std::string>{"serve", "--config", dir_.File("stripehook.toml")});
  }

  std::string WebhooksToml() const {
    return "[notify]\npoll_interval_ms = 20\n[[notify.webhooks]]\nurl = \"http://127.0.0.1:" +
           std::to_string(receiver_->port()) + "/\"\nsecret = \"" + kAppSecret + "\"\n";
  }

  std::vector<boost::json::object> Received() const {
    std::vector<boost::json::object> out;
    std::ifstream in(dir_.File("received.jsonl"));
    for (std::string line; std::getline(in, line);) {
      out.push_back(boost::json::parse(line).as_object());
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<PortFileServer> receiver_;
};

TEST_F(NotifyServeTest, ServeDeliversSignedWebhooksAndListsTheOutbox) {
  auto server = Serve(WebhooksToml());
  ASSERT_TRUE(server->Start()) << server->ReadLog();
  HttpClient client(server->port());
  std::ifstream events(FixturesDir() + "/lifecycles/a_checkout_new_subscription.jsonl");
  for (std::string line; std::getline(events, line);) {
    if (line.empty()) continue;
    int64_t now = ::time(nullptr);
    HttpResult r =
        client.Request("POST", "/webhooks/stripe", line,
                       {{"Stripe-Signature", stripe::SignatureHeaderFor(kStripeSecret, now, line)},
                        {"Content-Type", "application/json"}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // notify_expectations.json: a_checkout_new_subscription yields three app webhooks.
  ASSERT_TRUE(WaitFor([&] { return Received().size() >= 3; })) << server->ReadLog();
  std::vector<boost::json::object> received = Received();
  ASSERT_EQ(received.size(), 3u);
  for (const auto& r : received) EXPECT_TRUE(r.at("verified").as_bool()) << r;
  EXPECT_EQ(received[1].at("type"), "subscription.created");

  EXPECT_EQ(client.Get("/admin/outbox").status, 401);
  std::vector<std::pair<std::string, std::string>> auth{{"X-Admin-Key", kAdminKey}};
  // The receiver logs before it answers, so the row may be marked a moment later.
  HttpResult list;
  ASSERT_TRUE(WaitFor([&] {
    list = client.Request("GET", "/admin/outbox?limit=2", "", auth);
    return list.status == 200 && list.body.find("\"pending\"") == std::string::npos;
  })) << list.status
      << " " << list.body;
  boost::json::value page = boost::json::parse(list.body);
  EXPECT_EQ(page.at("object"), "list");
  EXPECT_EQ(page.at("data").as_array().size(), 2u);
  EXPECT_EQ(page.at("has_more"), true);
  EXPECT_EQ(page.at("data").at(0).at("status"), "delivered");
  HttpResult retry = client.Request("POST", "/admin/outbox/1/retry", "", auth);
  EXPECT_EQ(retry.status, 409) << retry.body;  // delivered rows are not retried
  EXPECT_EQ(client.Request("POST", "/admin/outbox/999/retry", "", auth).status, 404);
  EXPECT_EQ(client.Request("GET", "/admin/outbox?status=bogus", "", auth).status, 400);
  EXPECT_EQ(server->Terminate(), 0);

  ::setenv("STRIPE_WEBHOOK_SECRET", kStripeSecret, 1);  // the CLI validates the whole config
  ChildProcess cli(
      {StripehookBinary(), "outbox", "list", "--config", dir_.File("stripehook.toml"), "--json"},
      dir_.File("cli.log"));
  ASSERT_TRUE(cli.Start());
  EXPECT_EQ(cli.WaitExit(), 0) << cli.Log();
  EXPECT_NE(cli.Log().find("\"type\":\"subscription.created\""), std::string::npos) << cli.Log();
}

TEST_F(NotifyServeTest, UnknownNotifyKeyStopsStartUpNamingIt) {
  auto server = Serve(WebhooksToml() + "[notify.redis]\nurll = \"redis://127.0.0.1:6379\"\n");
  EXPECT_FALSE(server->Start());
  EXPECT_NE(server->ReadLog().find("notify.redis.urll"), std::string::npos) << server->ReadLog();
}

}  // namespace
}  // namespace stripehook::testing
