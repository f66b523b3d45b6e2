// Environment overrides (DESIGN.md §4). Values from the environment win over the file; each one is
// recorded in Origins so a later validation message can name the variable.

#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "app/config_internal.h"

extern char** environ;  // NOLINT: POSIX

namespace stripehook::app {

Environment ProcessEnvironment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

namespace internal {
namespace {

constexpr std::string_view kDefaultPath = "/webhooks/stripe";
constexpr std::string_view kDefaultAlias = "/api/v1/webhooks/stripe";

// An empty variable counts as unset: compose files often pass `VAR=` for "not configured".
const std::string* Lookup(const Environment& env, const std::string& name) {
  auto it = env.find(name);
  if (it == env.end() || it->second.empty()) return nullptr;
  return &it->second;
}

// Spaces and tabs around the commas are separators; newlines are not trimmed, so a pasted
// newline is reported by validation instead of being silently "fixed" in one place only.
std::vector<std::string> SplitSecrets(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    size_t first = item.find_first_not_of(" \t");
    size_t last = item.find_last_not_of(" \t");
    out.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool UsesPath(const std::vector<EndpointConfig>& endpoints, std::string_view path) {
  for (const EndpointConfig& e : endpoints) {
    if (e.path == path) return true;
    for (const std::string& alias : e.aliases) {
      if (alias == path) return true;
    }
  }
  return false;
}

// The endpoint served at /webhooks/stripe (as its path or an alias), created with its common
// alias when missing.
size_t DefaultEndpointIndex(Config* config) {
  for (size_t i = 0; i < config->endpoints.size(); ++i) {
    if (UsesPath({config->endpoints[i]}, kDefaultPath)) return i;
  }
  EndpointConfig endpoint;
  endpoint.name = "default";
  endpoint.path = std::string(kDefaultPath);
  if (!UsesPath(config->endpoints, kDefaultAlias)) endpoint.aliases.emplace_back(kDefaultAlias);
  config->endpoints.push_back(std::move(endpoint));
  return config->endpoints.size() - 1;
}

// "host:port", "[v6]:port". The host is checked later with server.address.
util::Status ParseListen(const std::string& text, Config* config) {
  const util::Status bad = util::InvalidArgumentError(
      "STRIPEHOOK_LISTEN: expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080), got '" + text +
      "'");
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return bad;
  std::string host = text.substr(0, colon);
  std::string_view port_text = std::string_view(text).substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad;  // a bare IPv6 address is ambiguous: ask for brackets
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return util::InvalidArgumentError("STRIPEHOOK_LISTEN: port must be 0..65535, got '" +
                                      std::string(port_text) + "'");
  }
  config->server.address = host;
  config->server.port = static_cast<uint16_t>(port);
  return util::OkStatus();
}

void OverrideString(const Environment& env, const std::string& var, const std::string& key,
                    std::string* field, Origins* origins) {
  if (const std::string* value = Lookup(env, var)) {
    *field = *value;
    (*origins)[key] = var;
  }
}

}  // namespace

util::Status ApplyEnvironment(const Environment& env, Config* config, Origins* origins) {
  OverrideString(env, "STRIPE_SECRET_KEY", "stripe.secret_key", &config->stripe.secret_key,
                 origins);
  OverrideString(env, "STRIPEHOOK_ADMIN_KEY", "admin.admin_key", &config->admin.admin_key, origins);
  OverrideString(env, "STRIPEHOOK_APP_KEY", "admin.app_key", &config->admin.app_key, origins);
  OverrideString(env, "DATABASE_URL", "database.url", &config->database.url, origins);
  OverrideString(env, "STRIPEHOOK_LOG_LEVEL", "log.level", &config->log.level, origins);
  if (const std::string* listen = Lookup(env, "STRIPEHOOK_LISTEN")) {
    SH_RETURN_IF_ERROR(ParseListen(*listen, config));
    (*origins)["server.address"] = "STRIPEHOOK_LISTEN";
  }
  const std::string* secrets = Lookup(env, "STRIPE_WEBHOOK_SECRET");
  if (secrets != nullptr || config->endpoints.empty()) {
    size_t index = DefaultEndpointIndex(config);
    if (secrets != nullptr) {
      config->endpoints[index].secrets = SplitSecrets(*secrets);
      (*origins)["endpoints[" + std::to_string(index) + "].secrets"] = "STRIPE_WEBHOOK_SECRET";
    }
  }
  return util::OkStatus();
}

}  // namespace internal
}  // namespace stripehook::app
