#pragma once

// Everything the [notify] configuration section says, decoded by app/config_notify.cpp, and the
// channels built from it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "notify/channel.h"
#include "notify/email_channel.h"
#include "notify/outbox_deliverer.h"
#include "notify/redis_channel.h"
#include "notify/webhook_channel.h"
#include "util/status.h"

namespace stripehook::notify {

struct EmailConfig {
  EmailSettings settings;
  std::string templates_dir;  // operator overrides; "" = built-in templates only
};

struct NotifySettings {
  DeliveryOptions delivery;
  std::vector<WebhookTarget> webhooks;
  std::optional<EmailConfig> email;
  std::optional<RedisTarget> redis;
  std::optional<std::string> alerts_url;  // Slack-compatible incoming webhook
  bool any() const { return !webhooks.empty() || email || redis || alerts_url; }
};

// The configured channels, in a fixed order: webhooks (as listed), email, email:operator (when
// operator_email is set), redis, alerts. kInvalidArgument for a bad secret, URL or template
// directory; names must be unique.
util::StatusOr<std::vector<std::unique_ptr<Channel>>> MakeChannels(const NotifySettings& settings,
                                                                   RecipientLookup lookup);

}  // namespace stripehook::notify
