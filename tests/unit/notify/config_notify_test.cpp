// [notify] decoding (app/config_notify.cpp): defaults, every key, errors naming the key.
#include "app/config_notify.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "support/status_matchers.h"

namespace stripehook::app {
namespace {

const Environment kEnv = {{"STRIPE_WEBHOOK_SECRET", "whsec_config_notify_test_0123"}};

util::StatusOr<notify::NotifySettings> Decode(const std::string& toml) {
  SH_ASSIGN_OR_RETURN(Config config, ParseConfig(toml, "test.toml", kEnv));
  return DecodeNotifyConfig(config);
}

TEST(ConfigNotifyTest, NoSectionMeansNoChannel) {
  ASSERT_OK_AND_ASSIGN(notify::NotifySettings s, Decode(""));
  EXPECT_FALSE(s.any());
  EXPECT_EQ(s.delivery.initial_backoff_seconds, 5);
}

TEST(ConfigNotifyTest, EveryKeyIsRead) {
  ASSERT_OK_AND_ASSIGN(notify::NotifySettings s, Decode(R"(
[notify]
initial_backoff_seconds = 2
max_backoff_seconds = 60
jitter = 0
deadline_seconds = 600
poll_interval_ms = 25
batch_size = 10
[[notify.webhooks]]
url = "http://127.0.0.1:9/a"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
types = ["access.changed"]
[[notify.webhooks]]
name = "crm"
url = "http://127.0.0.1:9/b"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
[notify.email]
smtp_url = "smtp://127.0.0.1:2525"
from = "billing@acme.test"
operator_email = "ops@acme.test"
require_tls = true
[notify.redis]
url = "unix:///tmp/redis.sock"
key_pattern = "acl:{user_id}"
[notify.alerts]
url = "http://127.0.0.1:9/slack"
)"));
  EXPECT_EQ(s.delivery.initial_backoff_seconds, 2);
  EXPECT_EQ(s.delivery.max_backoff_seconds, 60);
  EXPECT_EQ(s.delivery.jitter, 0);
  EXPECT_EQ(s.delivery.deadline_seconds, 600);
  EXPECT_EQ(s.delivery.poll_interval.count(), 25);
  EXPECT_EQ(s.delivery.batch_size, 10);
  ASSERT_EQ(s.webhooks.size(), 2u);
  EXPECT_EQ(s.webhooks[0].name, "app");
  EXPECT_EQ(s.webhooks[0].types, std::vector<std::string>{"access.changed"});
  EXPECT_EQ(s.webhooks[1].name, "crm");
  ASSERT_TRUE(s.email.has_value());
  EXPECT_TRUE(s.email->settings.server.require_tls);
  EXPECT_EQ(s.email->settings.operator_email, "ops@acme.test");
  EXPECT_EQ(s.redis->key_pattern, "acl:{user_id}");
  EXPECT_EQ(*s.alerts_url, "http://127.0.0.1:9/slack");

  // And the channels they make, in their documented order.
  ASSERT_OK_AND_ASSIGN(auto channels, notify::MakeChannels(s, nullptr));
  std::vector<std::string> names;
  for (const auto& c : channels) names.push_back(c->name());
  EXPECT_EQ(names, (std::vector<std::string>{"webhook:app", "webhook:crm", "email",
                                             "email:operator", "redis", "alerts"}));
}

TEST(ConfigNotifyTest, ErrorsNameTheKey) {
  auto message = [](const std::string& toml) { return Decode(toml).status().message(); };
  EXPECT_NE(message("[notify]\njiter = 0.1\n").find("notify.jiter"), std::string::npos);
  EXPECT_NE(message("[notify.email]\nfrom = \"a@b\"\nsmtp = \"x\"\n").find("notify.email.smtp"),
            std::string::npos);
  EXPECT_NE(message("[notify.email]\nsmtp_url = \"smtp://x\"\n").find("notify.email.from"),
            std::string::npos);
  EXPECT_NE(message("[[notify.webhooks]]\nsecret = \"whsec_x\"\n").find("notify.webhooks[0].url"),
            std::string::npos);
  EXPECT_NE(message("[notify]\nbatch_size = 0\n").find("notify.batch_size"), std::string::npos);
  EXPECT_NE(message("[notify.redis]\nurl = 5\n").find("notify.redis.url"), std::string::npos);
}

TEST(ConfigNotifyTest, WebhookSecretMayComeFromTheEnvironment) {
  const std::string toml = "[[notify.webhooks]]\nurl = \"http://127.0.0.1:9/\"\n";
  ::unsetenv("STRIPEHOOK_APP_WEBHOOK_SECRET");
  EXPECT_NE(Decode(toml).status().message().find("notify.webhooks[0].secret"), std::string::npos);
  ::setenv("STRIPEHOOK_APP_WEBHOOK_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", 1);
  ASSERT_OK_AND_ASSIGN(notify::NotifySettings s, Decode(toml));
  ::unsetenv("STRIPEHOOK_APP_WEBHOOK_SECRET");
  EXPECT_EQ(s.webhooks[0].secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
}

}  // namespace
}  // namespace stripehook::app
