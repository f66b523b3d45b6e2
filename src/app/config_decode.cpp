// Decodes the parsed TOML tree into Config: one function per section, each a list of typed reads
// followed by Finish(), which rejects unknown keys.

#include <cstdint>
#include <limits>
#include <string>

#include "app/config_internal.h"

namespace stripehook::app::internal {
namespace {

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();

template <typename T>
util::Status ReadSized(TableReader& reader, std::string_view key, int64_t min, int64_t max,
                       T* out) {
  int64_t value = static_cast<int64_t>(*out);
  SH_RETURN_IF_ERROR(reader.ReadInt(key, min, max, &value));
  *out = static_cast<T>(value);
  return util::OkStatus();
}

util::Status DecodeServer(TableReader& r, ServerConfig* s) {
  SH_RETURN_IF_ERROR(r.ReadString("address", &s->address));
  SH_RETURN_IF_ERROR(ReadSized(r, "port", 0, 65535, &s->port));
  SH_RETURN_IF_ERROR(ReadSized(r, "threads", 1, 256, &s->threads));
  SH_RETURN_IF_ERROR(ReadSized(r, "header_limit_bytes", 1, kMaxInt, &s->header_limit_bytes));
  SH_RETURN_IF_ERROR(ReadSized(r, "body_limit_bytes", 1, kMaxInt, &s->body_limit_bytes));
  SH_RETURN_IF_ERROR(r.ReadInt("read_timeout_ms", 1, kMaxInt, &s->read_timeout_ms));
  SH_RETURN_IF_ERROR(r.ReadInt("idle_timeout_ms", 1, kMaxInt, &s->idle_timeout_ms));
  SH_RETURN_IF_ERROR(r.ReadInt("shutdown_grace_ms", 0, kMaxInt, &s->shutdown_grace_ms));
  SH_RETURN_IF_ERROR(ReadSized(r, "max_connections", 1, kMaxInt, &s->max_connections));
  constexpr double kMaxRate = 1e9;
  SH_RETURN_IF_ERROR(r.ReadNumber("webhook_rate_limit_per_second", 0, kMaxRate,
                                  &s->webhook_rate_limit_per_second));
  SH_RETURN_IF_ERROR(
      r.ReadNumber("webhook_rate_limit_burst", 0, kMaxRate, &s->webhook_rate_limit_burst));
  return r.Finish();
}

util::Status DecodeDatabase(TableReader& r, DatabaseConfig* d) {
  SH_RETURN_IF_ERROR(r.ReadString("url", &d->url));
  SH_RETURN_IF_ERROR(r.ReadInt("busy_timeout_ms", 0, kMaxInt, &d->busy_timeout_ms));
  SH_RETURN_IF_ERROR(ReadSized(r, "max_batch", 1, 100'000, &d->max_batch));
  SH_RETURN_IF_ERROR(ReadSized(r, "read_connections", 1, 256, &d->read_connections));
  return r.Finish();
}

util::Status DecodeEndpoint(TableReader& r, EndpointConfig* e) {
  SH_RETURN_IF_ERROR(r.ReadString("name", &e->name));
  SH_RETURN_IF_ERROR(r.ReadString("path", &e->path));
  SH_RETURN_IF_ERROR(r.ReadStringList("aliases", &e->aliases));
  SH_RETURN_IF_ERROR(r.ReadStringList("secrets", &e->secrets));
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  SH_RETURN_IF_ERROR(r.ReadInt("tolerance_seconds", kMin, kMaxInt, &e->tolerance_seconds));
  return r.Finish();
}

util::Status DecodeEndpoints(const ConfigNode& node, const std::string& source,
                             std::vector<EndpointConfig>* out) {
  if (node.type != ConfigNode::Type::kArray) {
    return util::InvalidArgumentError(
        "endpoints: expected an array of tables ([[endpoints]]), got " +
        std::string(TypeName(node.type)) + LocationSuffix(source, node));
  }
  for (size_t i = 0; i < node.array.size(); ++i) {
    const ConfigNode& item = node.array[i];
    std::string path = "endpoints[" + std::to_string(i) + "]";
    if (item.type != ConfigNode::Type::kTable) {
      return util::InvalidArgumentError(path + ": expected a table, got " +
                                        std::string(TypeName(item.type)) +
                                        LocationSuffix(source, item));
    }
    EndpointConfig endpoint;
    if (i > 0) endpoint.name = "endpoint-" + std::to_string(i);
    TableReader reader(item, path, source);
    SH_RETURN_IF_ERROR(DecodeEndpoint(reader, &endpoint));
    out->push_back(std::move(endpoint));
  }
  return util::OkStatus();
}

util::Status DecodeStripe(TableReader& r, StripeConfig* s) {
  SH_RETURN_IF_ERROR(r.ReadString("secret_key", &s->secret_key));
  SH_RETURN_IF_ERROR(r.ReadString("api_base", &s->api_base));
  SH_RETURN_IF_ERROR(r.ReadString("api_version", &s->api_version));
  SH_RETURN_IF_ERROR(r.ReadNumber("requests_per_second", 0.1, 10'000, &s->requests_per_second));
  SH_RETURN_IF_ERROR(r.ReadInt("request_burst", 1, 10'000, &s->request_burst));
  SH_RETURN_IF_ERROR(
      r.ReadInt("checkout_per_user_per_minute", 1, 100'000, &s->checkout_per_user_per_minute));
  return r.Finish();
}

util::Status DecodeAdmin(TableReader& r, AdminConfig* a) {
  SH_RETURN_IF_ERROR(r.ReadString("admin_key", &a->admin_key));
  SH_RETURN_IF_ERROR(r.ReadString("app_key", &a->app_key));
  SH_RETURN_IF_ERROR(r.ReadInt("signature_failures_alert_per_hour", 0, 1'000'000'000,
                               &a->signature_failures_alert_per_hour));
  SH_RETURN_IF_ERROR(
      r.ReadInt("health_check_interval_seconds", 1, 86'400, &a->health_check_interval_seconds));
  return r.Finish();
}

util::Status DecodeLog(TableReader& r, LogConfig* l) {
  SH_RETURN_IF_ERROR(r.ReadString("level", &l->level));
  return r.Finish();
}

util::Status DecodeTesting(TableReader& r, TestingConfig* t) {
  SH_RETURN_IF_ERROR(r.ReadInt("manual_clock_start", 0, kMaxInt, &t->manual_clock_start));
  SH_RETURN_IF_ERROR(r.ReadString("storage_fault_file", &t->storage_fault_file));
  return r.Finish();
}

// Reads one [section] table with `decode`, or reports that the key is not a table.
template <typename Section, typename Decode>
util::Status DecodeSection(TableReader& top, std::string_view name, const std::string& source,
                           Section* section, Decode decode) {
  const ConfigNode* node = top.Take(name);
  if (node == nullptr) return util::OkStatus();
  if (node->type != ConfigNode::Type::kTable) {
    return top.Error(
        name, *node,
        "expected a table ([" + std::string(name) + "]), got " + std::string(TypeName(node->type)));
  }
  TableReader reader(*node, std::string(name), source);
  return decode(reader, section);
}

util::Status DecodeDeferred(TableReader& top, Config* config) {
  for (const std::string& name : DeferredSectionNames()) {
    const ConfigNode* node = top.Take(name);
    if (node == nullptr) continue;
    if (node->type != ConfigNode::Type::kTable) {
      return top.Error(name, *node, "expected a table, got " + std::string(TypeName(node->type)));
    }
    config->deferred_sections[name] = *node;
  }
  return util::OkStatus();
}

}  // namespace

util::Status DecodeConfig(const ConfigNode& root, const std::string& source, Config* config) {
  TableReader top(root, "", source);
  SH_RETURN_IF_ERROR(DecodeSection(top, "server", source, &config->server, DecodeServer));
  SH_RETURN_IF_ERROR(DecodeSection(top, "database", source, &config->database, DecodeDatabase));
  if (const ConfigNode* endpoints = top.Take("endpoints")) {
    SH_RETURN_IF_ERROR(DecodeEndpoints(*endpoints, source, &config->endpoints));
  }
  SH_RETURN_IF_ERROR(DecodeSection(top, "stripe", source, &config->stripe, DecodeStripe));
  SH_RETURN_IF_ERROR(DecodeSection(top, "admin", source, &config->admin, DecodeAdmin));
  SH_RETURN_IF_ERROR(DecodeSection(top, "log", source, &config->log, DecodeLog));
  SH_RETURN_IF_ERROR(DecodeSection(top, "testing", source, &config->testing, DecodeTesting));
  SH_RETURN_IF_ERROR(DecodeDeferred(top, config));
  return top.Finish();
}

}  // namespace stripehook::app::internal
