// Standard Webhooks signing against the specification's published example, and the app-webhook
// payload and id.
#include "notify/standard_webhooks.h"

#include <gtest/gtest.h>

#include "notify/webhook_channel.h"
#include "support/status_matchers.h"

namespace stripehook::notify {
namespace {

// The example of the Standard Webhooks specification (and its reference libraries' tests).
constexpr std::string_view kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kSpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kSpecTimestamp = 1614265330;
constexpr std::string_view kSpecBody = R"({"test": 2432232314})";
constexpr std::string_view kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(StandardWebhooksTest, SignsTheSpecificationExample) {
  ASSERT_OK_AND_ASSIGN(std::string key, WebhookSecretKey(kSpecSecret));
  EXPECT_EQ(SignStandardWebhook(key, kSpecId, kSpecTimestamp, kSpecBody), kSpecSignature);
}

TEST(StandardWebhooksTest, AnyChangeChangesTheSignature) {
  ASSERT_OK_AND_ASSIGN(std::string key, WebhookSecretKey(kSpecSecret));
  EXPECT_NE(SignStandardWebhook(key, "msg_other", kSpecTimestamp, kSpecBody), kSpecSignature);
  EXPECT_NE(SignStandardWebhook(key, kSpecId, kSpecTimestamp + 1, kSpecBody), kSpecSignature);
  EXPECT_NE(SignStandardWebhook(key, kSpecId, kSpecTimestamp, R"({"test": 1})"), kSpecSignature);
}

TEST(StandardWebhooksTest, SecretWithoutPrefixIsAccepted) {
  ASSERT_OK_AND_ASSIGN(std::string with, WebhookSecretKey(kSpecSecret));
  ASSERT_OK_AND_ASSIGN(std::string without, WebhookSecretKey(kSpecSecret.substr(6)));
  EXPECT_EQ(with, without);
}

TEST(StandardWebhooksTest, BadSecretsAreRejected) {
  EXPECT_FALSE(WebhookSecretKey("whsec_").ok());
  EXPECT_FALSE(WebhookSecretKey("whsec_not base64!").ok());
  EXPECT_FALSE(WebhookSecretKey("whsec_abc").ok());
}

TEST(StandardWebhooksTest, Base64RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    ASSERT_OK_AND_ASSIGN(std::string back, Base64Decode(Base64Encode(bytes)));
    EXPECT_EQ(back, bytes) << n;
    bytes.push_back(static_cast<char>(n * 37));
  }
}

TEST(WebhookPayloadTest, HasTypeTimestampAndDataWithUserAndId) {
  store::OutboxEntry entry;
  entry.id = 42;
  entry.type = "access.changed";
  entry.user_id = "user_1";
  entry.created_at_us = 1'788'256'801'000'123;
  boost::json::object body{{"event", "evt_1"}};
  boost::json::value payload = boost::json::parse(WebhookPayload(entry, body));
  EXPECT_EQ(payload.at("type"), "access.changed");
  EXPECT_EQ(payload.at("timestamp"), "2026-09-01T10:00:01.000123Z");
  EXPECT_EQ(payload.at("data").at("event"), "evt_1");
  EXPECT_EQ(payload.at("data").at("user_id"), "user_1");
  EXPECT_EQ(payload.at("data").at("outbox_id"), 42);
  EXPECT_EQ(WebhookId(entry), "msg_42");
}

TEST(WebhookChannelTest, RejectsMissingUrlOrBadSecret) {
  EXPECT_FALSE(WebhookChannel::Create({"app", "", std::string(kSpecSecret), {}}).ok());
  EXPECT_FALSE(WebhookChannel::Create({"app", "http://127.0.0.1:1/", "whsec_%%", {}}).ok());
  ASSERT_OK_AND_ASSIGN(
      auto channel,
      WebhookChannel::Create({"app", "http://127.0.0.1:1/", std::string(kSpecSecret), {}}));
  EXPECT_EQ(channel->name(), "webhook:app");
  store::OutboxEntry alert;
  alert.type = std::string(kOperatorAlertType);
  EXPECT_FALSE(channel->Wants(alert));
}

TEST(WebhookChannelTest, UnreachableReceiverIsUnavailable) {
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  ASSERT_OK_AND_ASSIGN(
      auto channel,
      WebhookChannel::Create({"app", "http://127.0.0.1:1/", std::string(kSpecSecret), {}}));
  store::OutboxEntry entry;
  entry.id = 1;
  entry.type = "payment.succeeded";
  boost::json::object body;
  util::Status status = channel->Deliver(Delivery{entry, body, 1'000'000});
  EXPECT_EQ(status.code(), util::StatusCode::kUnavailable) << status.ToString();
}

}  // namespace
}  // namespace stripehook::notify
