#pragma once

// App webhooks: every outbox row (except operator alerts) POSTed as a JSON domain event to one
// configured URL, signed per Standard Webhooks.

#include <memory>
#include <string>
#include <vector>

#include "notify/channel.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::notify {

struct WebhookTarget {
  std::string name;  // channel "webhook:<name>"
  std::string url;
  std::string secret;              // "whsec_<base64>"
  std::vector<std::string> types;  // empty: every notification type
  int64_t timeout_ms = 10'000;
  // The clock of webhook-timestamp (receivers reject one more than a few minutes off their own
  // time, so it is the wall clock even when delivery is scheduled by a test's manual clock).
  // Null: the system clock.
  const util::Clock* signing_clock = nullptr;
};

// The JSON posted for one row (Standard Webhooks payload shape):
// {"type":"<type>","timestamp":"<row created, RFC 3339 UTC>","data":{<body>,"user_id",
//  "outbox_id"}}. Identical on every retry; only webhook-timestamp and the signature change.
std::string WebhookPayload(const store::OutboxEntry& entry, const boost::json::object& body);
// "msg_<outbox id>": the same on every retry, so receivers can deduplicate.
std::string WebhookId(const store::OutboxEntry& entry);

class WebhookChannel final : public Channel {
 public:
  // kInvalidArgument for an empty URL or a secret that is not whsec_<base64>.
  static util::StatusOr<std::unique_ptr<WebhookChannel>> Create(WebhookTarget target);

  const std::string& name() const override { return name_; }
  bool Wants(const store::OutboxEntry& entry) const override;
  // kUnavailable when the receiver is unreachable or answers other than 2xx.
  util::Status Deliver(const Delivery& delivery) override;

 private:
  WebhookChannel(WebhookTarget target, std::string key)
      : target_(std::move(target)), key_(std::move(key)), name_("webhook:" + target_.name) {}

  WebhookTarget target_;
  std::string key_;  // HMAC key decoded from the secret; never logged
  std::string name_;
};

// Operator alert rows ("operator.alert") go to the alerts channel only.
inline constexpr std::string_view kOperatorAlertType = "operator.alert";

}  // namespace stripehook::notify
