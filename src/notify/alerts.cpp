#include "notify/alerts.h"

#include <boost/json.hpp>

#include "notify/http_post.h"
#include "notify/webhook_channel.h"

namespace stripehook::notify {

util::Status EnqueueAlert(store::Store& store, const util::Clock& clock, std::string_view kind,
                          std::string_view text) {
  store::ProcessingCommit commit;
  boost::json::object body{{"kind", kind}, {"text", text}};
  commit.outbox.push_back({"", std::string(kOperatorAlertType), "", boost::json::serialize(body),
                           clock.NowUnixMicros()});
  return store.CommitProcessing(std::move(commit));
}

bool AlertChannel::Wants(const store::OutboxEntry& entry) const {
  return entry.type == kOperatorAlertType;
}

util::Status AlertChannel::Deliver(const Delivery& delivery) {
  auto field = [&](std::string_view key) -> std::string {
    auto it = delivery.body.find(key);
    return it != delivery.body.end() && it->value().is_string()
               ? std::string(it->value().as_string())
               : "";
  };
  boost::json::object payload{{"text", "[stripehook] " + field("kind") + ": " + field("text")}};
  HttpPost post;
  post.url = url_;
  post.body = boost::json::serialize(payload);
  post.timeout_ms = timeout_ms_;
  return PostJson(post);
}

}  // namespace stripehook::notify
