#include "app/config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/config_internal.h"

namespace stripehook::app {
namespace {

constexpr char kDefaultFile[] = "stripehook.toml";
constexpr char kEnvironmentSource[] = "(environment)";

// File sections first, then the environment on top, then checks on the result.
util::StatusOr<Config> Build(const ConfigNode& root, const std::string& source,
                             const Environment& env, ConfigUse use) {
  Config config;
  config.source = source;
  SH_RETURN_IF_ERROR(internal::DecodeConfig(root, source, &config));
  internal::Origins origins;
  SH_RETURN_IF_ERROR(internal::ApplyEnvironment(env, &config, &origins));
  SH_RETURN_IF_ERROR(internal::ValidateConfig(origins, &config, use));
  return config;
}

util::StatusOr<std::string> ReadFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return util::NotFoundError("config file " + path + ": not found");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return util::FailedPreconditionError("config file " + path + ": cannot be read");
  }
  return text.str();
}

}  // namespace

const std::vector<std::string>& DeferredSectionNames() {
  static const std::vector<std::string> kNames = {"processing", "access", "plans", "notify",
                                                  "schedule"};
  return kNames;
}

util::StatusOr<Config> ParseConfig(const std::string& toml_text, const std::string& source_name,
                                   const Environment& env, ConfigUse use) {
  SH_ASSIGN_OR_RETURN(ConfigNode root, internal::ParseToml(toml_text, source_name));
  return Build(root, source_name, env, use);
}

util::StatusOr<Config> LoadConfig(const std::string& path, const Environment& env, ConfigUse use) {
  std::string file = path;
  std::error_code ec;
  if (file.empty() && std::filesystem::exists(kDefaultFile, ec)) file = kDefaultFile;
  if (file.empty()) return Build(ConfigNode{}, kEnvironmentSource, env, use);
  SH_ASSIGN_OR_RETURN(std::string text, ReadFile(file));
  return ParseConfig(text, file, env, use);
}

util::StatusOr<std::string> SqlitePathFromUrl(const std::string& url) {
  constexpr std::string_view kScheme = "sqlite://";
  if (url.compare(0, kScheme.size(), kScheme) != 0) {
    // No echo of the url: a postgresql:// one may carry a password.
    return util::InvalidArgumentError("database url: not a sqlite:// url");
  }
  std::string path = url.substr(kScheme.size());
  if (path.empty()) {
    return util::InvalidArgumentError("database url \"" + url + "\": no file path after sqlite://");
  }
  return path;
}

}  // namespace stripehook::app
