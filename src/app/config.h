#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace stripehook::app {

// One Stripe webhook endpoint: its own path, secrets (several during a rotation) and tolerance.
struct EndpointConfig {
  std::string name = "default";
  std::string path = "/webhooks/stripe";
  std::vector<std::string> aliases;     // extra paths served by the same endpoint
  std::vector<std::string> secrets;     // whsec_...; at least one
  int64_t tolerance_seconds = 300;      // <= 0 disables the age check
};

struct ServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;
  int threads = 2;
  size_t header_limit_bytes = 16 * 1024;
  size_t body_limit_bytes = 1024 * 1024;
  int64_t read_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 60'000;
  int64_t shutdown_grace_ms = 30'000;
  size_t max_connections = 10'000;
  // Webhook requests per second per client address; 0 = unlimited.
  double webhook_rate_limit_per_second = 0;
  double webhook_rate_limit_burst = 0;
};

struct DatabaseConfig {
  std::string url = "sqlite://stripehook.db";  // sqlite:///abs/path, sqlite://rel/path, postgresql://
  int64_t busy_timeout_ms = 5'000;   // how long a locked database is waited on before 503
  int max_batch = 512;               // events per group commit at most
  int read_connections = 4;
};

struct StripeConfig {
  std::string secret_key;            // sk_...; empty = no API calls
  std::string api_base = "https://api.stripe.com";
  std::string api_version = "2026-07-29.dahlia";
};

struct AdminConfig {
  std::string admin_key;             // empty = admin API disabled (401 always)
  std::string app_key;               // empty = application API disabled
};

struct LogConfig {
  std::string level = "info";
};

// Test-only knobs; never set in production configs.
struct TestingConfig {
  // When set, the service uses a manual clock starting here (Unix seconds) instead of the system
  // clock; POST /testing/clock moves it. Lifecycle tests use it to evaluate access at a checkpoint.
  std::optional<int64_t> manual_clock_start;
};

struct Config {
  ServerConfig server;
  DatabaseConfig database;
  std::vector<EndpointConfig> endpoints;
  StripeConfig stripe;
  AdminConfig admin;
  LogConfig log;
  TestingConfig testing;
  std::string source;  // the file it came from, or "(environment)"
};

// Environment variables read by LoadConfig (DESIGN.md §4): a map so tests need not touch the
// process environment.
using Environment = std::map<std::string, std::string>;
Environment ProcessEnvironment();

// Loads `path` (TOML) when given — or ./stripehook.toml when `path` is empty and that file
// exists — then applies the environment overrides, then validates. With no file and only the
// environment, the default endpoint /webhooks/stripe is configured from STRIPE_WEBHOOK_SECRET.
// Errors are kInvalidArgument with a message naming the key: "server.port: must be 1..65535",
// "endpoints[1].secrets: at least one secret is required", "unknown key 'server.prot'".
util::StatusOr<Config> LoadConfig(const std::string& path, const Environment& env);

// Parses TOML text (for tests and --check-config), then overrides and validation as LoadConfig.
util::StatusOr<Config> ParseConfig(const std::string& toml_text, const std::string& source_name,
                                   const Environment& env);

}  // namespace stripehook::app
