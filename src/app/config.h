#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/config_node.h"
#include "util/status.h"

namespace stripehook::app {

// One Stripe webhook endpoint: its own path, secrets (several during a rotation) and tolerance.
// Default name: "default" for the first endpoint, "endpoint-<i>" for later ones.
struct EndpointConfig {
  std::string name = "default";
  std::string path = "/webhooks/stripe";
  std::vector<std::string> aliases;  // extra paths served by the same endpoint
  std::vector<std::string> secrets;  // whsec_...; at least one
  int64_t tolerance_seconds = 300;   // <= 0 disables the age check
};

struct ServerConfig {
  std::string address = "127.0.0.1";  // an IPv4/IPv6 literal or "localhost"
  uint16_t port = 8080;               // 0 = any free port (tests read the bound port back)
  int threads = 2;
  size_t header_limit_bytes = 16 * 1024;
  size_t body_limit_bytes = 1024 * 1024;
  int64_t read_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 60'000;
  int64_t shutdown_grace_ms = 30'000;
  size_t max_connections = 10'000;
  // Webhook requests per second per client address; 0 = unlimited. Both must be >= 0.
  double webhook_rate_limit_per_second = 0;
  double webhook_rate_limit_burst = 0;
};

struct DatabaseConfig {
  std::string url =
      "sqlite://stripehook.db";     // sqlite:///abs/path, sqlite://rel/path, postgresql://
  int64_t busy_timeout_ms = 5'000;  // how long a locked database is waited on before 503
  int max_batch = 512;              // events per group commit at most
  int read_connections = 4;
};

struct StripeConfig {
  std::string secret_key;  // sk_...; empty = no API calls
  std::string api_base = "https://api.stripe.com";
  std::string api_version = "2026-07-29.dahlia";
  // The process-wide request budget every Stripe caller shares (live > repair > backfill).
  double requests_per_second = 25;
  int64_t request_burst = 5;
  // POST /v1/checkout sessions one user may create per minute (sliding window).
  int64_t checkout_per_user_per_minute = 5;
};

struct AdminConfig {
  std::string admin_key;  // empty = admin API disabled (401 always)
  std::string app_key;    // empty = application API disabled
  // Alerts (admin/webhook_health.h): signature failures per hour above which an alert is raised
  // (0 = never), and how often health is evaluated in the background.
  int64_t signature_failures_alert_per_hour = 100;
  int64_t health_check_interval_seconds = 60;
};

struct LogConfig {
  std::string level = "info";  // debug | info | warn | error (util::ParseLogLevel)
};

// Test-only knobs; never set in production configs.
struct TestingConfig {
  // When set, the service uses a manual clock starting here (Unix seconds) instead of the system
  // clock; POST /testing/clock moves it. Lifecycle tests use it to evaluate access at a checkpoint.
  std::optional<int64_t> manual_clock_start;
  // While a file exists at this path, every storage commit fails as on a full disk (fault
  // injection for the integration tests; see store/sqlite/fault_vfs.h). Empty = off.
  std::string storage_fault_file;
};

struct Config {
  ServerConfig server;
  DatabaseConfig database;
  std::vector<EndpointConfig> endpoints;
  StripeConfig stripe;
  AdminConfig admin;
  LogConfig log;
  TestingConfig testing;
  // Sections owned by later features ("processing", "access", "plans", "notify", "schedule"),
  // accepted but not yet checked: each owner decodes its node with TableReader (which reports
  // unknown keys) at start-up. Keyed by the top-level section name.
  std::map<std::string, ConfigNode> deferred_sections;
  // Non-fatal findings for the caller to log ("endpoints[0].tolerance_seconds <= 0: ...").
  std::vector<std::string> warnings;
  std::string source;  // the file it came from, or "(environment)"
};

// The top-level sections kept in Config::deferred_sections.
const std::vector<std::string>& DeferredSectionNames();

// Environment variables read by LoadConfig (DESIGN.md §4): a map so tests need not touch the
// process environment.
using Environment = std::map<std::string, std::string>;
// A copy of the process environment; not safe concurrently with setenv().
Environment ProcessEnvironment();

// Loads `path` (TOML) when given — or ./stripehook.toml when `path` is empty and that file
// exists — then applies the environment overrides, then validates. With no file and only the
// environment, the default endpoint /webhooks/stripe (alias /api/v1/webhooks/stripe) is
// configured from STRIPE_WEBHOOK_SECRET. An empty environment variable counts as unset.
// Errors: kNotFound for a missing explicit file; otherwise kInvalidArgument with a message that
// names the key (and the file line, or the environment variable it came from), e.g.
//   "server.port: must be 0..65535, got 70000 (stripehook.toml:3)"
//   "server.port: expected an integer, got a string (stripehook.toml:3)"
//   "unknown key 'server.prot' (did you mean 'server.port'?) (stripehook.toml:3)"
//   "endpoints[0] (default): no secret: set secrets = [\"whsec_...\"] or STRIPE_WEBHOOK_SECRET"
//   "database.url (from DATABASE_URL): must start with sqlite://, postgresql:// or postgres://"
//   "STRIPEHOOK_LISTEN: expected host:port (e.g. 127.0.0.1:8080 or [::1]:8080), got '8080'"
// Messages never echo a secret's value (a TOML syntax error quotes its line with whsec_, sk_ and
// rk_ tokens masked). Thread-safe (reads the file system, never the process
// environment).
//
// `use` kOffline is for the commands that only read or repair the store (migrate, events,
// rebuild, access, outbox, reconcile, replay): they verify no signature, so an endpoint without
// a secret is accepted there (secrets that are given are still checked). `serve` and
// `--check-config` use kServe.
enum class ConfigUse { kServe, kOffline };
util::StatusOr<Config> LoadConfig(const std::string& path, const Environment& env,
                                  ConfigUse use = ConfigUse::kServe);

// Parses TOML text (for tests and --check-config), then overrides and validation as LoadConfig;
// `source_name` is used in messages and Config::source. Pure and thread-safe.
util::StatusOr<Config> ParseConfig(const std::string& toml_text, const std::string& source_name,
                                   const Environment& env, ConfigUse use = ConfigUse::kServe);

// The SQLite file named by a database URL: "sqlite:///abs/path" -> "/abs/path",
// "sqlite://rel.db" -> "rel.db". kInvalidArgument for another scheme or an empty path.
util::StatusOr<std::string> SqlitePathFromUrl(const std::string& url);

// The effective config as TOML-ish text for --check-config and logs, with every secret replaced
// by its first characters and its length ("whsec_…(redacted, 38 chars)"): endpoint secrets,
// stripe.secret_key, admin keys, passwords in URLs, and in deferred sections every key whose name
// looks secret (secret, password, token, key) and every whsec_/sk_/rk_ value.
std::string Redacted(const Config& config);

// Replaces one secret as Redacted does. Short values show no characters at all.
std::string RedactSecret(const std::string& secret);

}  // namespace stripehook::app
