#include <iostream>

#include "app/cli_commands.h"
#include "app/config.h"
#include "app/service.h"
#include "app/store_factory.h"
#include "util/log.h"

namespace stripehook::app {
namespace {

// Loads and validates the configuration; prints the reason and returns nullopt when it is bad.
std::optional<Config> LoadOrExplain(const CommonOptions& common, ConfigUse use) {
  util::StatusOr<Config> config = LoadConfig(common.config_path, ProcessEnvironment(), use);
  if (!config.ok()) {
    std::cerr << "stripehook: configuration error: " << config.status().message() << "\n";
    return std::nullopt;
  }
  util::LogLevel level = util::LogLevel::kInfo;
  if (util::ParseLogLevel(config->log.level, &level)) util::SetMinLogLevel(level);
  for (const std::string& warning : config->warnings)
    util::LogWarn("config").Str("warning", warning);
  return std::move(config).value();
}

}  // namespace

int RunServe(const CommonOptions& common, const ServeOptions& options) {
  std::optional<Config> config = LoadOrExplain(common, ConfigUse::kServe);
  if (!config) return 2;
  if (options.check_config) {
    std::cout << "configuration OK (" << config->source << ")\n" << Redacted(*config);
    return 0;
  }
  util::StatusOr<std::unique_ptr<Service>> service = Service::Create(*config);
  if (!service.ok()) {
    util::LogError("start-up failed").Str("error", service.status().ToString());
    std::cerr << "stripehook: cannot start: " << service.status().message() << "\n";
    return 1;
  }
  util::Status run = (*service)->Run();
  if (!run.ok()) {
    util::LogError("serve failed").Str("error", run.ToString());
    return 1;
  }
  return 0;
}

int RunMigrate(const CommonOptions& common) {
  // Migrating verifies no signature: no webhook secret needed.
  std::optional<Config> config = LoadOrExplain(common, ConfigUse::kOffline);
  if (!config) return 2;
  util::Status migrated = MigrateStore(*config);
  if (!migrated.ok()) {
    std::cerr << "stripehook: migrate failed: " << migrated.message() << "\n";
    return 1;
  }
  std::cout << "migrations applied to " << config->database.url << "\n";
  return 0;
}

}  // namespace stripehook::app
