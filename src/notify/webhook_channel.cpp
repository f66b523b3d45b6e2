#include "notify/webhook_channel.h"

#include <algorithm>

#include "notify/http_post.h"
#include "notify/standard_webhooks.h"
#include "notify/time_format.h"

namespace stripehook::notify {

std::string WebhookId(const store::OutboxEntry& entry) { return "msg_" + std::to_string(entry.id); }

std::string WebhookPayload(const store::OutboxEntry& entry, const boost::json::object& body) {
  boost::json::object data = body;
  data["user_id"] = entry.user_id;
  data["outbox_id"] = entry.id;
  boost::json::object payload{{"type", entry.type},
                              {"timestamp", Rfc3339Micros(entry.created_at_us)},
                              {"data", std::move(data)}};
  return boost::json::serialize(payload);
}

util::StatusOr<std::unique_ptr<WebhookChannel>> WebhookChannel::Create(WebhookTarget target) {
  if (target.url.empty()) return util::InvalidArgumentError("webhook " + target.name + ": no url");
  util::StatusOr<std::string> key = WebhookSecretKey(target.secret);
  if (!key.ok())
    return util::InvalidArgumentError("webhook " + target.name + ": " + key.status().message());
  return std::unique_ptr<WebhookChannel>(new WebhookChannel(std::move(target), *std::move(key)));
}

bool WebhookChannel::Wants(const store::OutboxEntry& entry) const {
  if (entry.type == kOperatorAlertType) return false;
  return target_.types.empty() ||
         std::find(target_.types.begin(), target_.types.end(), entry.type) != target_.types.end();
}

util::Status WebhookChannel::Deliver(const Delivery& delivery) {
  std::string id = WebhookId(delivery.entry);
  std::string body = WebhookPayload(delivery.entry, delivery.body);
  const util::Clock& clock =
      target_.signing_clock != nullptr ? *target_.signing_clock : util::SystemClock::Default();
  int64_t timestamp = clock.NowUnixMicros() / 1'000'000;
  HttpPost post;
  post.url = target_.url;
  post.headers = {{"webhook-id", id},
                  {"webhook-timestamp", std::to_string(timestamp)},
                  {"webhook-signature", SignStandardWebhook(key_, id, timestamp, body)}};
  post.body = std::move(body);
  post.timeout_ms = target_.timeout_ms;
  return PostJson(post);
}

}  // namespace stripehook::notify
