#pragma once

// Internal to sh_config: the steps ParseConfig chains together, one per file.

#include <map>
#include <string>

#include "app/config.h"
#include "app/config_node.h"
#include "util/status.h"

namespace stripehook::app::internal {

// Which environment variable set each overridden key ("database.url" -> "DATABASE_URL"), so
// validation messages about a value that came from the environment name the variable.
using Origins = std::map<std::string, std::string>;

// The only caller of toml11 (config_toml.cpp): parses TOML text into a ConfigNode table.
// Syntax errors are kInvalidArgument "<source>: TOML syntax error: ...". Never throws.
util::StatusOr<ConfigNode> ParseToml(const std::string& text, const std::string& source);

// Decodes the document into `config`: types, integer ranges, unknown keys (config_decode.cpp).
util::Status DecodeConfig(const ConfigNode& root, const std::string& source, Config* config);

// Applies the environment overrides of DESIGN.md §4 and adds the default endpoint when none is
// configured (config_env.cpp). Malformed values name the variable.
util::Status ApplyEnvironment(const Environment& env, Config* config, Origins* origins);

// Cross-field and semantic checks on the effective config (config_validate.cpp); appends
// non-fatal findings to config->warnings.
util::Status ValidateConfig(const Origins& origins, Config* config, ConfigUse use);

}  // namespace stripehook::app::internal
