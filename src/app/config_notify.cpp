#include "app/config_notify.h"

#include <cstdlib>
#include <limits>

#include "app/config_node.h"

namespace stripehook::app {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

util::Status DecodeDelivery(TableReader& r, notify::DeliveryOptions* d) {
  int64_t batch = d->batch_size, poll_ms = d->poll_interval.count();
  SH_RETURN_IF_ERROR(r.ReadInt("batch_size", 1, 10'000, &batch));
  SH_RETURN_IF_ERROR(r.ReadInt("initial_backoff_seconds", 1, kMaxInt, &d->initial_backoff_seconds));
  SH_RETURN_IF_ERROR(r.ReadInt("max_backoff_seconds", 1, kMaxInt, &d->max_backoff_seconds));
  SH_RETURN_IF_ERROR(r.ReadNumber("jitter", 0, 1, &d->jitter));
  SH_RETURN_IF_ERROR(r.ReadInt("deadline_seconds", 1, kMaxInt, &d->deadline_seconds));
  SH_RETURN_IF_ERROR(r.ReadInt("poll_interval_ms", 1, 60'000, &poll_ms));
  d->batch_size = static_cast<int>(batch);
  d->poll_interval = std::chrono::milliseconds(poll_ms);
  return util::OkStatus();
}

util::Status DecodeWebhook(const ConfigNode& item, const std::string& path,
                           const std::string& source, notify::WebhookTarget* t) {
  if (item.type != ConfigNode::Type::kTable) {
    return util::InvalidArgumentError(path + ": expected a table ([[notify.webhooks]])");
  }
  TableReader r(item, path, source);
  SH_RETURN_IF_ERROR(r.ReadString("name", &t->name));
  SH_RETURN_IF_ERROR(r.ReadString("url", &t->url));
  SH_RETURN_IF_ERROR(r.ReadString("secret", &t->secret));
  SH_RETURN_IF_ERROR(r.ReadStringList("types", &t->types));
  SH_RETURN_IF_ERROR(r.ReadInt("timeout_ms", 1, 600'000, &t->timeout_ms));
  SH_RETURN_IF_ERROR(r.Finish());
  if (t->url.empty()) return util::InvalidArgumentError(path + ".url: required");
  if (t->secret.empty()) {
    const char* env = std::getenv("STRIPEHOOK_APP_WEBHOOK_SECRET");
    if (env != nullptr) t->secret = env;
  }
  if (t->secret.empty()) {
    return util::InvalidArgumentError(path +
                                      ".secret: required (or STRIPEHOOK_APP_WEBHOOK_SECRET)");
  }
  return util::OkStatus();
}

util::Status DecodeWebhooks(TableReader& top, const std::string& source,
                            std::vector<notify::WebhookTarget>* out) {
  const ConfigNode* node = top.Take("webhooks");
  if (node == nullptr) return util::OkStatus();
  if (node->type != ConfigNode::Type::kArray) {
    return top.Error("webhooks", *node, "expected an array of tables ([[notify.webhooks]])");
  }
  for (size_t i = 0; i < node->array.size(); ++i) {
    notify::WebhookTarget target;
    target.name = i == 0 ? "app" : "app" + std::to_string(i + 1);
    std::string path = "notify.webhooks[" + std::to_string(i) + "]";
    SH_RETURN_IF_ERROR(DecodeWebhook(node->array[i], path, source, &target));
    out->push_back(std::move(target));
  }
  return util::OkStatus();
}

util::Status DecodeEmail(TableReader& r, notify::EmailConfig* e) {
  notify::EmailSettings& s = e->settings;
  SH_RETURN_IF_ERROR(r.ReadString("smtp_url", &s.server.url));
  SH_RETURN_IF_ERROR(r.ReadString("username", &s.server.username));
  SH_RETURN_IF_ERROR(r.ReadString("password", &s.server.password));
  SH_RETURN_IF_ERROR(r.ReadBool("require_tls", &s.server.require_tls));
  SH_RETURN_IF_ERROR(r.ReadString("ca_file", &s.server.ca_file));
  SH_RETURN_IF_ERROR(r.ReadInt("timeout_ms", 1, 600'000, &s.server.timeout_ms));
  SH_RETURN_IF_ERROR(r.ReadString("from", &s.from));
  SH_RETURN_IF_ERROR(r.ReadString("from_name", &s.from_name));
  SH_RETURN_IF_ERROR(r.ReadString("product", &s.product));
  SH_RETURN_IF_ERROR(r.ReadString("support_email", &s.support_email));
  SH_RETURN_IF_ERROR(r.ReadString("operator_email", &s.operator_email));
  SH_RETURN_IF_ERROR(r.ReadString("templates_dir", &e->templates_dir));
  SH_RETURN_IF_ERROR(r.Finish());
  if (s.from.empty()) return util::InvalidArgumentError("notify.email.from: required");
  return util::OkStatus();
}

// Decodes the optional sub-table `key` of [notify] with `decode`.
template <typename T, typename Decode>
util::Status DecodeSubTable(TableReader& top, const std::string& source, const char* key,
                            std::optional<T>* out, Decode decode) {
  const ConfigNode* node = top.Take(key);
  if (node == nullptr) return util::OkStatus();
  if (node->type != ConfigNode::Type::kTable) {
    return top.Error(key, *node, "expected a table [notify." + std::string(key) + "]");
  }
  TableReader r(*node, "notify." + std::string(key), source);
  T value{};
  SH_RETURN_IF_ERROR(decode(r, &value));
  *out = std::move(value);
  return util::OkStatus();
}

}  // namespace

util::StatusOr<notify::NotifySettings> DecodeNotifyConfig(const Config& config) {
  notify::NotifySettings settings;
  auto it = config.deferred_sections.find("notify");
  if (it == config.deferred_sections.end()) return settings;
  TableReader top(it->second, "notify", config.source);
  SH_RETURN_IF_ERROR(DecodeDelivery(top, &settings.delivery));
  SH_RETURN_IF_ERROR(DecodeWebhooks(top, config.source, &settings.webhooks));
  SH_RETURN_IF_ERROR(DecodeSubTable(top, config.source, "email", &settings.email, DecodeEmail));
  SH_RETURN_IF_ERROR(DecodeSubTable(
      top, config.source, "redis", &settings.redis, [](TableReader& r, notify::RedisTarget* t) {
        SH_RETURN_IF_ERROR(r.ReadString("url", &t->url));
        SH_RETURN_IF_ERROR(r.ReadString("key_pattern", &t->key_pattern));
        SH_RETURN_IF_ERROR(r.ReadInt("timeout_ms", 1, 600'000, &t->timeout_ms));
        return r.Finish();
      }));
  SH_RETURN_IF_ERROR(DecodeSubTable(
      top, config.source, "alerts", &settings.alerts_url, [](TableReader& r, std::string* url) {
        SH_RETURN_IF_ERROR(r.ReadString("url", url));
        SH_RETURN_IF_ERROR(r.Finish());
        if (url->empty()) {
          return util::InvalidArgumentError("notify.alerts.url: required");
        }
        return util::OkStatus();
      }));
  SH_RETURN_IF_ERROR(top.Finish());
  return settings;
}

}  // namespace stripehook::app
