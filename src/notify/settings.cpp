#include "notify/settings.h"

#include <set>

#include "notify/alerts.h"

namespace stripehook::notify {
namespace {

util::Status AddEmail(const EmailConfig& email, RecipientLookup lookup,
                      std::vector<std::unique_ptr<Channel>>& channels) {
  if (email.settings.from.empty()) return util::InvalidArgumentError("notify.email.from: required");
  SH_ASSIGN_OR_RETURN(EmailTemplates templates, EmailTemplates::Load(email.templates_dir));
  channels.push_back(std::make_unique<EmailChannel>(EmailChannel::Audience::kCustomer,
                                                    email.settings, templates, lookup));
  if (!email.settings.operator_email.empty()) {
    channels.push_back(std::make_unique<EmailChannel>(EmailChannel::Audience::kOperator,
                                                      email.settings, templates, lookup));
  }
  return util::OkStatus();
}

}  // namespace

util::StatusOr<std::vector<std::unique_ptr<Channel>>> MakeChannels(const NotifySettings& settings,
                                                                   RecipientLookup lookup) {
  std::vector<std::unique_ptr<Channel>> channels;
  for (const WebhookTarget& target : settings.webhooks) {
    SH_ASSIGN_OR_RETURN(std::unique_ptr<WebhookChannel> channel, WebhookChannel::Create(target));
    channels.push_back(std::move(channel));
  }
  if (settings.email) SH_RETURN_IF_ERROR(AddEmail(*settings.email, lookup, channels));
  if (settings.redis) {
    SH_ASSIGN_OR_RETURN(std::unique_ptr<RedisChannel> redis, RedisChannel::Create(*settings.redis));
    channels.push_back(std::move(redis));
  }
  if (settings.alerts_url) channels.push_back(std::make_unique<AlertChannel>(*settings.alerts_url));
  std::set<std::string> names;
  for (const auto& channel : channels) {
    if (!names.insert(channel->name()).second) {
      return util::InvalidArgumentError("notify: two channels named " + channel->name());
    }
  }
  return channels;
}

}  // namespace stripehook::notify
