#pragma once

#include <string>

#include "app/config.h"
#include "support/status_matchers.h"

namespace stripehook::app {

// A secret of realistic shape and length (whsec_ + 32 characters).
inline const std::string kSecret = "whsec_0123456789abcdef0123456789abcdef";
inline const std::string kSecret2 = "whsec_fedcba9876543210fedcba9876543210";

// The smallest environment that yields a valid config with no file.
inline Environment MinimalEnv() { return {{"STRIPE_WEBHOOK_SECRET", kSecret}}; }

// Parses `toml` with MinimalEnv() plus `extra` environment entries.
inline util::StatusOr<Config> Parse(const std::string& toml, Environment env = MinimalEnv()) {
  return ParseConfig(toml, "test.toml", env);
}

// The error message of parsing `toml`, or "OK" when it parsed.
inline std::string ErrorOf(const std::string& toml, Environment env = MinimalEnv()) {
  auto result = ParseConfig(toml, "test.toml", env);
  return result.ok() ? "OK" : result.status().message();
}

}  // namespace stripehook::app
