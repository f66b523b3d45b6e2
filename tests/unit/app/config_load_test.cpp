// LoadConfig(): files on disk, the default file name, and the environment-only case.

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"
#include "support/temp_dir.h"

namespace stripehook::app {
namespace {

using ::testing::HasSubstr;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// Runs the test body inside `dir`, restoring the working directory afterwards.
class ScopedChdir {
 public:
  explicit ScopedChdir(const std::string& dir) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~ScopedChdir() { std::filesystem::current_path(old_); }

 private:
  std::filesystem::path old_;
};

TEST(ConfigLoadTest, LoadsNamedFileAndRecordsSource) {
  testing::TempDir dir;
  std::string path = dir.File("custom.toml");
  WriteFile(path, "[server]\nport = 9191\n");
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig(path, MinimalEnv()));
  EXPECT_EQ(c.server.port, 9191);
  EXPECT_EQ(c.source, path);
}

TEST(ConfigLoadTest, ErrorsCarryTheFileNameAndLine) {
  testing::TempDir dir;
  std::string path = dir.File("bad.toml");
  WriteFile(path, "\n\n[server]\nport = \"x\"\n");
  auto result = LoadConfig(path, MinimalEnv());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "server.port: expected an integer, got a string (" + path + ":4)");
}

TEST(ConfigLoadTest, MissingExplicitFileIsNotFound) {
  testing::TempDir dir;
  auto result = LoadConfig(dir.File("nope.toml"), MinimalEnv());
  EXPECT_STATUS_CODE(result, kNotFound);
  EXPECT_THAT(result.status().message(), HasSubstr("nope.toml: not found"));
}

TEST(ConfigLoadTest, NoPathUsesStripehookTomlInWorkingDirectory) {
  testing::TempDir dir;
  WriteFile(dir.File("stripehook.toml"), "[server]\nport = 7070\n");
  ScopedChdir chdir(dir.path());
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig("", MinimalEnv()));
  EXPECT_EQ(c.server.port, 7070);
  EXPECT_EQ(c.source, "stripehook.toml");
}

TEST(ConfigLoadTest, NoPathAndNoFileUsesEnvironmentOnly) {
  testing::TempDir dir;
  ScopedChdir chdir(dir.path());
  ASSERT_OK_AND_ASSIGN(Config c, LoadConfig("", MinimalEnv()));
  EXPECT_EQ(c.source, "(environment)");
  ASSERT_EQ(c.endpoints.size(), 1u);
  EXPECT_EQ(c.endpoints[0].secrets.at(0), kSecret);
  EXPECT_FALSE(LoadConfig("", {}).ok());
}

TEST(ConfigLoadTest, ProcessEnvironmentReadsRealVariables) {
  ::setenv("STRIPEHOOK_CONFIG_TEST_VAR", "a=b", 1);
  Environment env = ProcessEnvironment();
  ::unsetenv("STRIPEHOOK_CONFIG_TEST_VAR");
  EXPECT_EQ(env.at("STRIPEHOOK_CONFIG_TEST_VAR"), "a=b");
}

}  // namespace
}  // namespace stripehook::app
