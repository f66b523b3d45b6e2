// Redacted() output and SqlitePathFromUrl().

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace stripehook::app {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kStripeKey[] = "sk_live_51HxYzAbCdEfGhIjKlMnOpQrStUv";
constexpr char kAdminKey[] = "admin-0123456789-abcdefghij";
constexpr char kAppKey[] = "app-key-zyxwvutsrqponmlkji";
constexpr char kNotifySecret[] = "whsec_notifyNOTIFYnotify0123";
constexpr char kSmtpPassword[] = "hunter2-smtp-password";
constexpr char kDbPassword[] = "pg-pass-9876";

Config FullySecretConfig() {
  Environment env = {{"STRIPE_WEBHOOK_SECRET", kSecret + "," + kSecret2},
                     {"STRIPE_SECRET_KEY", kStripeKey},
                     {"STRIPEHOOK_ADMIN_KEY", kAdminKey},
                     {"STRIPEHOOK_APP_KEY", kAppKey},
                     {"DATABASE_URL", std::string("postgresql://user:") + kDbPassword + "@db/x"}};
  auto config = ParseConfig(std::string(R"(
[notify.webhook]
url = "https://app.example/hooks"
signing_secret = ")") + kNotifySecret +
                                R"("
[notify.smtp]
url = "smtp://mailer:)" + kSmtpPassword +
                                R"(@mail.example:587"
[[notify.targets]]
token = "tok_abcdefghijklmnopqrstuvwxyz"
[plans.pro]
prices = ["price_123"]
)",
                            "full.toml", env);
  SH_CHECK(config.ok());
  return *config;
}

TEST(ConfigRedactTest, NoSecretAppearsInOutput) {
  std::string text = Redacted(FullySecretConfig());
  for (const std::string& secret :
       {kSecret, kSecret2, std::string(kStripeKey), std::string(kAdminKey), std::string(kAppKey),
        std::string(kNotifySecret), std::string(kSmtpPassword), std::string(kDbPassword),
        std::string("tok_abcdefghijklmnopqrstuvwxyz")}) {
    EXPECT_THAT(text, Not(HasSubstr(secret))) << secret;
    // Nor a long piece of it.
    EXPECT_THAT(text, Not(HasSubstr(secret.substr(4, 10)))) << secret;
  }
}

TEST(ConfigRedactTest, ShowsPrefixAndLengthOfSecrets) {
  std::string text = Redacted(FullySecretConfig());
  EXPECT_THAT(text, HasSubstr("secrets = [\"whsec_…(redacted, 38 chars)\", "
                              "\"whsec_…(redacted, 38 chars)\"]"));
  EXPECT_THAT(text, HasSubstr("secret_key = \"sk_liv…(redacted, 36 chars)\""));
  EXPECT_THAT(text, HasSubstr("url = \"postgresql://user:…(redacted)@db/x\""));
  EXPECT_THAT(text, HasSubstr("url = \"smtp://mailer:…(redacted)@mail.example:587\""));
}

TEST(ConfigRedactTest, ShowsEffectiveNonSecretValues) {
  std::string text = Redacted(FullySecretConfig());
  EXPECT_THAT(text, HasSubstr("# effective configuration from full.toml"));
  EXPECT_THAT(text, HasSubstr("[server]\naddress = \"127.0.0.1\"\nport = 8080\n"));
  EXPECT_THAT(text, HasSubstr("path = \"/webhooks/stripe\"\n"));
  EXPECT_THAT(text, HasSubstr("aliases = [\"/api/v1/webhooks/stripe\"]"));
  EXPECT_THAT(text, HasSubstr("[plans.pro]\nprices = [\"price_123\"]\n"));
  EXPECT_THAT(text, HasSubstr("url = \"https://app.example/hooks\""));
  EXPECT_THAT(text, HasSubstr("[[notify.targets]]\n"));
  EXPECT_THAT(text, HasSubstr("admin_key = \"admin-…(redacted, 27 chars)\""));
}

TEST(ConfigRedactTest, EmptyKeysStayEmpty) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(""));
  std::string text = Redacted(c);
  EXPECT_THAT(text, HasSubstr("admin_key = \"\"\n"));
  EXPECT_THAT(text, HasSubstr("secret_key = \"\"\n"));
}

TEST(ConfigRedactTest, ShortSecretShowsNoCharacters) {
  EXPECT_EQ(RedactSecret("abc123"), "…(redacted, 6 chars)");
  EXPECT_EQ(RedactSecret("whsec_0123456789abcdef"), "whsec_…(redacted, 22 chars)");
}

TEST(ConfigRedactTest, RedactedOutputParsesBackWithTheSameStructure) {
  Config original = FullySecretConfig();
  ASSERT_OK_AND_ASSIGN(Config reparsed, ParseConfig(Redacted(original), "redacted.toml", {}));
  EXPECT_EQ(reparsed.server.port, original.server.port);
  ASSERT_EQ(reparsed.endpoints.size(), original.endpoints.size());
  EXPECT_EQ(reparsed.endpoints[0].path, original.endpoints[0].path);
  EXPECT_EQ(reparsed.endpoints[0].aliases, original.endpoints[0].aliases);
  EXPECT_EQ(reparsed.endpoints[0].secrets.size(), 2u);
  ASSERT_EQ(reparsed.deferred_sections.size(), 2u);
  EXPECT_EQ(reparsed.deferred_sections.at("notify").table.at("targets").array.size(), 1u);
  EXPECT_EQ(reparsed.deferred_sections.at("plans").table.at("pro").table.at("prices").array.size(),
            1u);
}

TEST(SqlitePathFromUrlTest, AbsoluteAndRelative) {
  ASSERT_OK_AND_ASSIGN(std::string absolute, SqlitePathFromUrl("sqlite:///var/lib/x.db"));
  EXPECT_EQ(absolute, "/var/lib/x.db");
  ASSERT_OK_AND_ASSIGN(std::string relative, SqlitePathFromUrl("sqlite://data/x.db"));
  EXPECT_EQ(relative, "data/x.db");
}

TEST(SqlitePathFromUrlTest, Errors) {
  EXPECT_STATUS_CODE(SqlitePathFromUrl("sqlite://"), kInvalidArgument);
  EXPECT_STATUS_CODE(SqlitePathFromUrl("postgresql://u:pw@h/db"), kInvalidArgument);
  EXPECT_THAT(SqlitePathFromUrl("postgresql://u:pw@h/db").status().message(), Not(HasSubstr("pw")));
  EXPECT_STATUS_CODE(SqlitePathFromUrl(""), kInvalidArgument);
}

}  // namespace
}  // namespace stripehook::app
