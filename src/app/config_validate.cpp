// Checks on the effective config (file + environment) that single-key decoding cannot make:
// formats, cross-endpoint uniqueness, secrets. Messages never echo a secret.

#include <arpa/inet.h>

#include <map>
#include <string>

#include "app/config_internal.h"
#include "util/log.h"

namespace stripehook::app::internal {
namespace {

// "database.url" or "database.url (from DATABASE_URL)".
std::string Name(const Origins& origins, const std::string& key) {
  auto it = origins.find(key);
  return it == origins.end() ? key : key + " (from " + it->second + ")";
}

util::Status Invalid(const Origins& origins, const std::string& key, const std::string& what) {
  return util::InvalidArgumentError(Name(origins, key) + ": " + what);
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool HasOuterWhitespace(const std::string& text) {
  return !text.empty() && (IsSpace(text.front()) || IsSpace(text.back()));
}

util::Status CheckSecretText(const Origins& origins, const std::string& key,
                             const std::string& value) {
  if (value.find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
    return Invalid(origins, key, "is blank");
  }
  if (HasOuterWhitespace(value)) {
    return Invalid(origins, key,
                   "has leading or trailing whitespace (a pasted newline?); signatures would "
                   "never match: remove it");
  }
  return util::OkStatus();
}

util::Status CheckServer(const Origins& origins, const ServerConfig& server) {
  unsigned char buffer[16];
  const std::string& a = server.address;
  if (a != "localhost" && inet_pton(AF_INET, a.c_str(), buffer) != 1 &&
      inet_pton(AF_INET6, a.c_str(), buffer) != 1) {
    return Invalid(origins, "server.address",
                   "expected an IP address or \"localhost\", got \"" + a + "\"");
  }
  return util::OkStatus();
}

util::Status CheckDatabase(const Origins& origins, const DatabaseConfig& database) {
  const std::string& url = database.url;
  if (StartsWith(url, "sqlite://")) {
    return SqlitePathFromUrl(url).ok()
               ? util::OkStatus()
               : Invalid(origins, "database.url", "sqlite:// needs a file path");
  }
  if (!StartsWith(url, "postgresql://") && !StartsWith(url, "postgres://")) {
    return Invalid(origins, "database.url",
                   "must start with sqlite://, postgresql:// or postgres://");
  }
  return util::OkStatus();
}

util::Status CheckPath(const Origins& origins, const std::string& key, const std::string& path) {
  if (path.empty() || path.front() != '/') return Invalid(origins, key, "must start with '/'");
  if (path.find_first_of(" \t\r\n?#") != std::string::npos) {
    return Invalid(origins, key, "must not contain whitespace, '?' or '#'");
  }
  return util::OkStatus();
}

std::string Label(size_t i, const EndpointConfig& e) {
  return "endpoints[" + std::to_string(i) + "] (" + e.name + ")";
}

util::Status CheckSecrets(const Origins& origins, size_t i, const EndpointConfig& e,
                          ConfigUse use) {
  std::string key = "endpoints[" + std::to_string(i) + "].secrets";
  if (e.secrets.empty() && use == ConfigUse::kServe) {
    return util::InvalidArgumentError(
        Label(i, e) + ": no secret: set secrets = [\"whsec_...\"] or STRIPE_WEBHOOK_SECRET");
  }
  for (size_t j = 0; j < e.secrets.size(); ++j) {
    auto it = origins.find(key);
    std::string item = key + "[" + std::to_string(j) + "]";
    std::string shown = it == origins.end() ? item : item + " (from " + it->second + ")";
    SH_RETURN_IF_ERROR(CheckSecretText({}, shown, e.secrets[j]));
  }
  return util::OkStatus();
}

// Each path or alias may be served by one endpoint only; `seen` maps it to its first user.
util::Status ClaimPath(const Origins& origins, const std::string& key, const std::string& path,
                       const std::string& owner, std::map<std::string, std::string>* seen) {
  SH_RETURN_IF_ERROR(CheckPath(origins, key, path));
  auto [it, inserted] = seen->emplace(path, owner);
  if (!inserted) return Invalid(origins, key, "\"" + path + "\" is already used by " + it->second);
  return util::OkStatus();
}

util::Status CheckEndpoints(const Origins& origins, Config* config, ConfigUse use) {
  std::map<std::string, std::string> paths;
  std::map<std::string, std::string> names;
  for (size_t i = 0; i < config->endpoints.size(); ++i) {
    const EndpointConfig& e = config->endpoints[i];
    std::string key = "endpoints[" + std::to_string(i) + "]";
    if (e.name.empty()) return Invalid(origins, key + ".name", "must not be empty");
    auto [it, inserted] = names.emplace(e.name, Label(i, e));
    if (!inserted) {
      return Invalid(origins, key + ".name", "\"" + e.name + "\" is already used by " + it->second);
    }
    SH_RETURN_IF_ERROR(ClaimPath(origins, key + ".path", e.path, Label(i, e), &paths));
    for (size_t j = 0; j < e.aliases.size(); ++j) {
      std::string alias_key = key + ".aliases[" + std::to_string(j) + "]";
      SH_RETURN_IF_ERROR(ClaimPath(origins, alias_key, e.aliases[j], Label(i, e), &paths));
    }
    SH_RETURN_IF_ERROR(CheckSecrets(origins, i, e, use));
    if (e.tolerance_seconds <= 0) {
      config->warnings.push_back(key +
                                 ".tolerance_seconds <= 0: the timestamp age check is "
                                 "disabled, so replayed requests are accepted");
    }
  }
  return util::OkStatus();
}

util::Status CheckKeys(const Origins& origins, const Config& config) {
  const std::string& sk = config.stripe.secret_key;
  if (!sk.empty()) {
    SH_RETURN_IF_ERROR(CheckSecretText(origins, "stripe.secret_key", sk));
    if (!StartsWith(sk, "sk_") && !StartsWith(sk, "rk_")) {
      return Invalid(origins, "stripe.secret_key", "must start with sk_ or rk_");
    }
  }
  if (!StartsWith(config.stripe.api_base, "https://") &&
      !StartsWith(config.stripe.api_base, "http://")) {
    return Invalid(origins, "stripe.api_base", "must start with https:// or http://");
  }
  if (config.stripe.api_version.empty()) {
    return Invalid(origins, "stripe.api_version", "must not be empty");
  }
  if (!config.admin.admin_key.empty()) {
    SH_RETURN_IF_ERROR(CheckSecretText(origins, "admin.admin_key", config.admin.admin_key));
  }
  if (!config.admin.app_key.empty()) {
    SH_RETURN_IF_ERROR(CheckSecretText(origins, "admin.app_key", config.admin.app_key));
  }
  return util::OkStatus();
}

util::Status CheckLog(const Origins& origins, const LogConfig& log) {
  util::LogLevel level;
  if (!util::ParseLogLevel(log.level, &level)) {
    return Invalid(origins, "log.level",
                   "must be one of debug, info, warn, error; got \"" + log.level + "\"");
  }
  return util::OkStatus();
}

}  // namespace

util::Status ValidateConfig(const Origins& origins, Config* config, ConfigUse use) {
  SH_RETURN_IF_ERROR(CheckServer(origins, config->server));
  SH_RETURN_IF_ERROR(CheckDatabase(origins, config->database));
  SH_RETURN_IF_ERROR(CheckEndpoints(origins, config, use));
  SH_RETURN_IF_ERROR(CheckKeys(origins, *config));
  SH_RETURN_IF_ERROR(CheckLog(origins, config->log));
  if (config->testing.manual_clock_start.has_value()) {
    config->warnings.push_back(
        "testing.manual_clock_start is set: the clock is manual (tests only)");
  }
  if (!config->testing.storage_fault_file.empty()) {
    config->warnings.push_back(
        "testing.storage_fault_file is set: storage faults can be injected (tests only)");
  }
  return util::OkStatus();
}

}  // namespace stripehook::app::internal
