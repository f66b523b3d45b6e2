// Environment overrides: the variables of DESIGN.md §4, their precedence and their errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace stripehook::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigEnvTest, EnvironmentOnlyGivesValidConfigWithDefaultEndpoint) {
  ASSERT_OK_AND_ASSIGN(Config c, ParseConfig("", "(environment)", MinimalEnv()));
  ASSERT_EQ(c.endpoints.size(), 1u);
  EXPECT_EQ(c.endpoints[0].name, "default");
  EXPECT_EQ(c.endpoints[0].path, "/webhooks/stripe");
  EXPECT_THAT(c.endpoints[0].aliases, ElementsAre("/api/v1/webhooks/stripe"));
  EXPECT_THAT(c.endpoints[0].secrets, ElementsAre(kSecret));
  EXPECT_EQ(c.endpoints[0].tolerance_seconds, 300);
  EXPECT_EQ(c.server.address, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.database.url, "sqlite://stripehook.db");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(ConfigEnvTest, NoSecretAnywhereNamesBothRemedies) {
  EXPECT_EQ(ErrorOf("", {}),
            "endpoints[0] (default): no secret: set secrets = [\"whsec_...\"] or "
            "STRIPE_WEBHOOK_SECRET");
}

TEST(ConfigEnvTest, EveryVariableOverridesTheFile) {
  Environment env = {
      {"STRIPE_WEBHOOK_SECRET", kSecret2},
      {"STRIPE_SECRET_KEY", "sk_live_fromenv0123456789"},
      {"STRIPEHOOK_ADMIN_KEY", "admin-from-env"},
      {"STRIPEHOOK_APP_KEY", "app-from-env"},
      {"DATABASE_URL", "postgresql://u@db/stripehook"},
      {"STRIPEHOOK_LISTEN", "0.0.0.0:9000"},
      {"STRIPEHOOK_LOG_LEVEL", "warn"},
  };
  ASSERT_OK_AND_ASSIGN(Config c, Parse(R"(
[server]
address = "127.0.0.1"
port = 8080
[database]
url = "sqlite://file.db"
[[endpoints]]
path = "/webhooks/stripe"
secrets = ["whsec_fromfile0000000000"]
[stripe]
secret_key = "sk_test_fromfile"
[admin]
admin_key = "admin-from-file"
app_key = "app-from-file"
[log]
level = "error"
)",
                                       env));
  EXPECT_THAT(c.endpoints[0].secrets, ElementsAre(kSecret2));
  EXPECT_EQ(c.stripe.secret_key, "sk_live_fromenv0123456789");
  EXPECT_EQ(c.admin.admin_key, "admin-from-env");
  EXPECT_EQ(c.admin.app_key, "app-from-env");
  EXPECT_EQ(c.database.url, "postgresql://u@db/stripehook");
  EXPECT_EQ(c.server.address, "0.0.0.0");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.log.level, "warn");
}

TEST(ConfigEnvTest, EmptyVariableCountsAsUnset) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse("[database]\nurl = \"sqlite://file.db\"\n",
                                       {{"STRIPE_WEBHOOK_SECRET", kSecret}, {"DATABASE_URL", ""}}));
  EXPECT_EQ(c.database.url, "sqlite://file.db");
}

TEST(ConfigEnvTest, WebhookSecretListForRotation) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse("", {{"STRIPE_WEBHOOK_SECRET", kSecret + ", " + kSecret2}}));
  EXPECT_THAT(c.endpoints[0].secrets, ElementsAre(kSecret, kSecret2));
}

TEST(ConfigEnvTest, WebhookSecretListWithEmptyItemIsRejected) {
  EXPECT_EQ(ErrorOf("", {{"STRIPE_WEBHOOK_SECRET", kSecret + ","}}),
            "endpoints[0].secrets[1] (from STRIPE_WEBHOOK_SECRET): is blank");
}

TEST(ConfigEnvTest, WebhookSecretWithPastedNewlineIsRejected) {
  std::string message = ErrorOf("", {{"STRIPE_WEBHOOK_SECRET", kSecret + "\n"}});
  EXPECT_THAT(message, HasSubstr("endpoints[0].secrets[0] (from STRIPE_WEBHOOK_SECRET): has "
                                 "leading or trailing whitespace"));
  EXPECT_THAT(message, Not(HasSubstr(kSecret)));
}

TEST(ConfigEnvTest, WebhookSecretGoesToEndpointAtDefaultPathOnly) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(R"(
[[endpoints]]
name = "connect"
path = "/webhooks/connect"
secrets = ["whsec_connect"]
[[endpoints]]
name = "main"
path = "/webhooks/stripe"
)",
                                       {{"STRIPE_WEBHOOK_SECRET", kSecret}}));
  ASSERT_EQ(c.endpoints.size(), 2u);
  EXPECT_THAT(c.endpoints[0].secrets, ElementsAre("whsec_connect"));
  EXPECT_THAT(c.endpoints[1].secrets, ElementsAre(kSecret));
}

TEST(ConfigEnvTest, WebhookSecretGoesToEndpointWithDefaultPathAsAlias) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(R"(
[[endpoints]]
name = "main"
path = "/hooks"
aliases = ["/webhooks/stripe"]
)",
                                       {{"STRIPE_WEBHOOK_SECRET", kSecret}}));
  ASSERT_EQ(c.endpoints.size(), 1u);
  EXPECT_THAT(c.endpoints[0].secrets, ElementsAre(kSecret));
}

TEST(ConfigEnvTest, WebhookSecretAddsDefaultEndpointBesideOthers) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(R"(
[[endpoints]]
name = "connect"
path = "/webhooks/connect"
secrets = ["whsec_connect"]
)",
                                       {{"STRIPE_WEBHOOK_SECRET", kSecret}}));
  ASSERT_EQ(c.endpoints.size(), 2u);
  EXPECT_EQ(c.endpoints[1].name, "default");
  EXPECT_EQ(c.endpoints[1].path, "/webhooks/stripe");
  EXPECT_THAT(c.endpoints[1].aliases, ElementsAre("/api/v1/webhooks/stripe"));
}

TEST(ConfigEnvTest, DefaultEndpointSkipsAliasAlreadyInUse) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(R"(
[[endpoints]]
name = "v1"
path = "/api/v1/webhooks/stripe"
secrets = ["whsec_v1"]
)",
                                       {{"STRIPE_WEBHOOK_SECRET", kSecret}}));
  ASSERT_EQ(c.endpoints.size(), 2u);
  EXPECT_TRUE(c.endpoints[1].aliases.empty());
}

TEST(ConfigEnvTest, FileEndpointsWithoutEnvSecretAddNoDefault) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(R"(
[[endpoints]]
name = "connect"
path = "/webhooks/connect"
secrets = ["whsec_connect"]
)",
                                       {}));
  ASSERT_EQ(c.endpoints.size(), 1u);
}

TEST(ConfigEnvTest, ListenForms) {
  struct Case {
    std::string listen;
    std::string address;
    uint16_t port;
  };
  for (const Case& k : {Case{"127.0.0.1:8080", "127.0.0.1", 8080}, Case{"[::1]:9000", "::1", 9000},
                        Case{"0.0.0.0:0", "0.0.0.0", 0}, Case{"localhost:80", "localhost", 80},
                        Case{"[::]:443", "::", 443}}) {
    Environment env = MinimalEnv();
    env["STRIPEHOOK_LISTEN"] = k.listen;
    ASSERT_OK_AND_ASSIGN(Config c, Parse("", env));
    EXPECT_EQ(c.server.address, k.address) << k.listen;
    EXPECT_EQ(c.server.port, k.port) << k.listen;
  }
}

TEST(ConfigEnvTest, MalformedListenNamesTheVariable) {
  for (const std::string listen :
       {"8080", ":8080", "127.0.0.1:", "::1:8080", "[::1]8080", "[]:80"}) {
    Environment env = MinimalEnv();
    env["STRIPEHOOK_LISTEN"] = listen;
    EXPECT_THAT(ErrorOf("", env), HasSubstr("STRIPEHOOK_LISTEN: expected host:port")) << listen;
  }
}

TEST(ConfigEnvTest, ListenPortOutOfRangeNamesTheVariable) {
  for (const std::string listen : {"127.0.0.1:65536", "127.0.0.1:http", "127.0.0.1:-1"}) {
    Environment env = MinimalEnv();
    env["STRIPEHOOK_LISTEN"] = listen;
    EXPECT_THAT(ErrorOf("", env), HasSubstr("STRIPEHOOK_LISTEN: port must be 0..65535")) << listen;
  }
}

TEST(ConfigEnvTest, ListenWithBadHostNamesTheVariable) {
  Environment env = MinimalEnv();
  env["STRIPEHOOK_LISTEN"] = "example.com:80";
  EXPECT_THAT(ErrorOf("", env),
              HasSubstr("server.address (from STRIPEHOOK_LISTEN): expected an IP address"));
}

TEST(ConfigEnvTest, BadOverrideValuesNameTheVariable) {
  Environment env = MinimalEnv();
  env["DATABASE_URL"] = "mysql://db";
  EXPECT_THAT(ErrorOf("", env), HasSubstr("database.url (from DATABASE_URL): must start with"));
  env = MinimalEnv();
  env["STRIPEHOOK_LOG_LEVEL"] = "verbose";
  EXPECT_THAT(ErrorOf("", env), HasSubstr("log.level (from STRIPEHOOK_LOG_LEVEL): must be one of"));
  env = MinimalEnv();
  env["STRIPE_SECRET_KEY"] = "pk_test_123";
  EXPECT_THAT(ErrorOf("", env),
              HasSubstr("stripe.secret_key (from STRIPE_SECRET_KEY): must start with sk_ or rk_"));
  env = MinimalEnv();
  env["STRIPEHOOK_ADMIN_KEY"] = "key\n";
  EXPECT_THAT(ErrorOf("", env), HasSubstr("admin.admin_key (from STRIPEHOOK_ADMIN_KEY): has "
                                          "leading or trailing whitespace"));
}

}  // namespace
}  // namespace stripehook::app
