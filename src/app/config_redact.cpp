// Redacted(): the effective config as TOML for --check-config and logs. Secrets are replaced at
// the point they are printed, so a field added later is shown in clear only if it is printed
// with Str() rather than Secret() — keep secrets on the Secret() path.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>
#include <string>

#include "app/config.h"

namespace stripehook::app {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\u%04X", u);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// Replaces the password of "scheme://user:password@host/..." (no-op when there is none).
std::string RedactUrl(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  size_t authority = scheme_end + 3;
  size_t at = url.find('@', authority);
  size_t slash = url.find('/', authority);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  size_t colon = url.find(':', authority);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "…(redacted)" + url.substr(at);
}

bool LooksSecretKey(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* word : {"secret", "password", "token", "key"}) {
    if (key.find(word) != std::string::npos) return true;
  }
  return false;
}

bool LooksSecretValue(const std::string& value) {
  return StartsWith(value, "whsec_") || StartsWith(value, "sk_") || StartsWith(value, "rk_");
}

std::string BareOrQuotedKey(const std::string& key) {
  bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-';
  });
  return bare ? key : Quote(key);
}

// One value of a deferred section, inline; `secret` when its key looks like it holds one.
std::string Inline(const ConfigNode& node, bool secret) {
  switch (node.type) {
    case ConfigNode::Type::kBoolean:
      return node.boolean ? "true" : "false";
    case ConfigNode::Type::kInteger:
      return std::to_string(node.integer);
    case ConfigNode::Type::kFloat: {
      std::ostringstream out;
      out << node.floating;
      return out.str();
    }
    case ConfigNode::Type::kString:
      if (secret || LooksSecretValue(node.string)) return Quote(RedactSecret(node.string));
      return Quote(RedactUrl(node.string));
    case ConfigNode::Type::kDateTime:
      return node.string;
    case ConfigNode::Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < node.array.size(); ++i) {
        out += (i > 0 ? ", " : "") + Inline(node.array[i], secret);
      }
      return out + "]";
    }
    case ConfigNode::Type::kTable: {
      std::string out = "{";
      const char* separator = " ";
      for (const auto& [key, value] : node.table) {
        out +=
            separator + BareOrQuotedKey(key) + " = " + Inline(value, secret || LooksSecretKey(key));
        separator = ", ";
      }
      return out + " }";
    }
  }
  return "";
}

bool IsArrayOfTables(const ConfigNode& node) {
  return node.type == ConfigNode::Type::kArray && !node.array.empty() &&
         std::all_of(node.array.begin(), node.array.end(),
                     [](const ConfigNode& item) { return item.type == ConfigNode::Type::kTable; });
}

void PrintTable(std::ostringstream& out, const std::string& path, const ConfigNode& table,
                bool secret) {
  for (const auto& [key, value] : table.table) {
    if (value.type == ConfigNode::Type::kTable || IsArrayOfTables(value)) continue;
    out << BareOrQuotedKey(key) << " = " << Inline(value, secret || LooksSecretKey(key)) << "\n";
  }
  for (const auto& [key, value] : table.table) {
    std::string child = path + "." + BareOrQuotedKey(key);
    bool child_secret = secret || LooksSecretKey(key);
    if (value.type == ConfigNode::Type::kTable) {
      out << "\n[" << child << "]\n";
      PrintTable(out, child, value, child_secret);
    } else if (IsArrayOfTables(value)) {
      for (const ConfigNode& item : value.array) {
        out << "\n[[" << child << "]]\n";
        PrintTable(out, child, item, child_secret);
      }
    }
  }
}

void Str(std::ostringstream& out, const char* key, const std::string& value) {
  out << key << " = " << Quote(value) << "\n";
}

void Secret(std::ostringstream& out, const char* key, const std::string& value) {
  out << key << " = " << Quote(value.empty() ? "" : RedactSecret(value)) << "\n";
}

template <typename Number>
void Num(std::ostringstream& out, const char* key, Number value) {
  out << key << " = " << value << "\n";
}

void List(std::ostringstream& out, const char* key, const std::vector<std::string>& values,
          bool secret) {
  out << key << " = [";
  for (size_t i = 0; i < values.size(); ++i) {
    out << (i > 0 ? ", " : "") << Quote(secret ? RedactSecret(values[i]) : values[i]);
  }
  out << "]\n";
}

void PrintServer(std::ostringstream& out, const ServerConfig& s) {
  out << "[server]\n";
  Str(out, "address", s.address);
  Num(out, "port", s.port);
  Num(out, "threads", s.threads);
  Num(out, "header_limit_bytes", s.header_limit_bytes);
  Num(out, "body_limit_bytes", s.body_limit_bytes);
  Num(out, "read_timeout_ms", s.read_timeout_ms);
  Num(out, "idle_timeout_ms", s.idle_timeout_ms);
  Num(out, "shutdown_grace_ms", s.shutdown_grace_ms);
  Num(out, "max_connections", s.max_connections);
  Num(out, "webhook_rate_limit_per_second", s.webhook_rate_limit_per_second);
  Num(out, "webhook_rate_limit_burst", s.webhook_rate_limit_burst);
}

void PrintEndpoints(std::ostringstream& out, const std::vector<EndpointConfig>& endpoints) {
  for (const EndpointConfig& e : endpoints) {
    out << "\n[[endpoints]]\n";
    Str(out, "name", e.name);
    Str(out, "path", e.path);
    List(out, "aliases", e.aliases, false);
    List(out, "secrets", e.secrets, true);
    Num(out, "tolerance_seconds", e.tolerance_seconds);
  }
}

void PrintRest(std::ostringstream& out, const Config& c) {
  out << "\n[database]\n";
  Str(out, "url", RedactUrl(c.database.url));
  Num(out, "busy_timeout_ms", c.database.busy_timeout_ms);
  Num(out, "max_batch", c.database.max_batch);
  Num(out, "read_connections", c.database.read_connections);
  out << "\n[stripe]\n";
  Secret(out, "secret_key", c.stripe.secret_key);
  Str(out, "api_base", c.stripe.api_base);
  Str(out, "api_version", c.stripe.api_version);
  out << "requests_per_second = " << c.stripe.requests_per_second << "\n";
  out << "request_burst = " << c.stripe.request_burst << "\n";
  out << "checkout_per_user_per_minute = " << c.stripe.checkout_per_user_per_minute << "\n";
  out << "\n[admin]\n";
  Secret(out, "admin_key", c.admin.admin_key);
  Secret(out, "app_key", c.admin.app_key);
  Num(out, "signature_failures_alert_per_hour", c.admin.signature_failures_alert_per_hour);
  Num(out, "health_check_interval_seconds", c.admin.health_check_interval_seconds);
  out << "\n[log]\n";
  Str(out, "level", c.log.level);
  if (c.testing.manual_clock_start.has_value() || !c.testing.storage_fault_file.empty()) {
    out << "\n[testing]\n";
    if (c.testing.manual_clock_start) {
      Num(out, "manual_clock_start", *c.testing.manual_clock_start);
    }
    if (!c.testing.storage_fault_file.empty()) {
      Str(out, "storage_fault_file", c.testing.storage_fault_file);
    }
  }
}

}  // namespace

std::string RedactSecret(const std::string& secret) {
  // Six characters identify which secret it is (whsec_, sk_live, ...) without weakening a long
  // one; a short value would be half revealed, so it shows nothing.
  size_t shown = secret.size() >= 16 ? 6 : 0;
  return secret.substr(0, shown) + "…(redacted, " + std::to_string(secret.size()) + " chars)";
}

std::string Redacted(const Config& config) {
  std::ostringstream out;
  out << "# effective configuration from " << config.source << "; secrets redacted\n";
  PrintServer(out, config.server);
  PrintEndpoints(out, config.endpoints);
  PrintRest(out, config);
  for (const auto& [name, node] : config.deferred_sections) {
    // A section made only of sub-tables ([plans.pro], [notify.smtp]) needs no header of its own.
    bool has_values =
        node.table.empty() ||
        std::any_of(node.table.begin(), node.table.end(), [](const auto& entry) {
          return entry.second.type != ConfigNode::Type::kTable && !IsArrayOfTables(entry.second);
        });
    if (has_values) out << "\n[" << BareOrQuotedKey(name) << "]\n";
    PrintTable(out, BareOrQuotedKey(name), node, LooksSecretKey(name));
  }
  return out.str();
}

}  // namespace stripehook::app
