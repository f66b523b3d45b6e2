// Semantic checks on the effective config: addresses, URLs, paths, names, secrets, keys, levels.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace stripehook::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigValidateTest, ServerAddressMustBeIpLiteralOrLocalhost) {
  for (const std::string ok : {"127.0.0.1", "0.0.0.0", "::1", "::", "fe80::1", "localhost"}) {
    EXPECT_OK(Parse("[server]\naddress = \"" + ok + "\"\n")) << ok;
  }
  for (const std::string bad : {"example.com", "256.0.0.1", "", "127.0.0.1:80", "[::1]"}) {
    EXPECT_THAT(ErrorOf("[server]\naddress = \"" + bad + "\"\n"),
                HasSubstr("server.address: expected an IP address or \"localhost\""))
        << bad;
  }
}

TEST(ConfigValidateTest, DatabaseUrlSchemes) {
  for (const std::string ok : {"sqlite:///abs/path.db", "sqlite://rel.db",
                               "postgresql://user:pw@host/db", "postgres://host/db"}) {
    EXPECT_OK(Parse("[database]\nurl = \"" + ok + "\"\n")) << ok;
  }
  EXPECT_EQ(ErrorOf("[database]\nurl = \"mysql://h/db\"\n"),
            "database.url: must start with sqlite://, postgresql:// or postgres://");
  EXPECT_EQ(ErrorOf("[database]\nurl = \"/var/db.sqlite\"\n"),
            "database.url: must start with sqlite://, postgresql:// or postgres://");
  EXPECT_EQ(ErrorOf("[database]\nurl = \"sqlite://\"\n"),
            "database.url: sqlite:// needs a file path");
}

TEST(ConfigValidateTest, LogLevelMustBeKnown) {
  for (const std::string ok : {"debug", "info", "warn", "error"}) {
    EXPECT_OK(Parse("[log]\nlevel = \"" + ok + "\"\n")) << ok;
  }
  EXPECT_EQ(ErrorOf("[log]\nlevel = \"INFO\"\n"),
            "log.level: must be one of debug, info, warn, error; got \"INFO\"");
}

TEST(ConfigValidateTest, EndpointPathMustStartWithSlash) {
  EXPECT_EQ(ErrorOf("[[endpoints]]\npath = \"webhooks\"\nsecrets = [\"whsec_a\"]\n", {}),
            "endpoints[0].path: must start with '/'");
  EXPECT_EQ(ErrorOf("[[endpoints]]\naliases = [\"x\"]\nsecrets = [\"whsec_a\"]\n", {}),
            "endpoints[0].aliases[0]: must start with '/'");
  EXPECT_EQ(ErrorOf("[[endpoints]]\npath = \"/a?b=1\"\nsecrets = [\"whsec_a\"]\n", {}),
            "endpoints[0].path: must not contain whitespace, '?' or '#'");
}

TEST(ConfigValidateTest, DuplicatePathsAcrossEndpointsAndAliases) {
  EXPECT_EQ(ErrorOf(R"(
[[endpoints]]
name = "a"
path = "/hook"
secrets = ["whsec_a"]
[[endpoints]]
name = "b"
path = "/hook"
secrets = ["whsec_b"]
)",
                    {}),
            "endpoints[1].path: \"/hook\" is already used by endpoints[0] (a)");
  EXPECT_EQ(ErrorOf(R"(
[[endpoints]]
name = "a"
path = "/hook"
secrets = ["whsec_a"]
[[endpoints]]
name = "b"
path = "/other"
aliases = ["/hook"]
secrets = ["whsec_b"]
)",
                    {}),
            "endpoints[1].aliases[0]: \"/hook\" is already used by endpoints[0] (a)");
  EXPECT_THAT(ErrorOf("[[endpoints]]\npath = \"/a\"\naliases = [\"/a\"]\nsecrets = [\"s\"]\n", {}),
              HasSubstr("endpoints[0].aliases[0]: \"/a\" is already used by endpoints[0]"));
}

TEST(ConfigValidateTest, DuplicateAndEmptyNames) {
  EXPECT_EQ(ErrorOf(R"(
[[endpoints]]
name = "main"
path = "/a"
secrets = ["whsec_a"]
[[endpoints]]
name = "main"
path = "/b"
secrets = ["whsec_b"]
)",
                    {}),
            "endpoints[1].name: \"main\" is already used by endpoints[0] (main)");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nname = \"\"\nsecrets = [\"whsec_a\"]\n", {}),
            "endpoints[0].name: must not be empty");
}

TEST(ConfigValidateTest, EndpointWithoutSecrets) {
  EXPECT_EQ(ErrorOf("[[endpoints]]\nname = \"b\"\npath = \"/b\"\nsecrets = []\n"),
            "endpoints[0] (b): no secret: set secrets = [\"whsec_...\"] or STRIPE_WEBHOOK_SECRET");
}

// Commands that only read or repair the store verify no signature: there an endpoint may have no
// secret, but a secret that is given is still checked.
TEST(ConfigValidateTest, OfflineCommandsNeedNoSecret) {
  auto offline = [](const std::string& toml, Environment env) {
    auto result = ParseConfig(toml, "test.toml", env, ConfigUse::kOffline);
    return result.ok() ? "OK" : result.status().message();
  };
  EXPECT_EQ(offline("[database]\nurl = \"sqlite:///tmp/x.db\"\n", {}), "OK");
  EXPECT_EQ(offline("[[endpoints]]\nname = \"b\"\npath = \"/b\"\nsecrets = []\n", {}), "OK");
  EXPECT_EQ(offline("[[endpoints]]\nsecrets = [\"whsec_a\", \"  \"]\n", {}),
            "endpoints[0].secrets[1]: is blank");
  EXPECT_EQ(ErrorOf("[database]\nurl = \"sqlite:///tmp/x.db\"\n", {}),
            "endpoints[0] (default): no secret: set secrets = [\"whsec_...\"] or "
            "STRIPE_WEBHOOK_SECRET");
}

TEST(ConfigValidateTest, BlankSecretIsRejected) {
  EXPECT_EQ(ErrorOf("[[endpoints]]\nsecrets = [\"whsec_a\", \"  \"]\n", {}),
            "endpoints[0].secrets[1]: is blank");
  EXPECT_EQ(ErrorOf("[[endpoints]]\nsecrets = [\"\"]\n", {}), "endpoints[0].secrets[0]: is blank");
}

TEST(ConfigValidateTest, SecretWithWhitespaceIsRejectedWithoutEchoingIt) {
  for (const std::string text : {"whsec_abc\\n", " whsec_abc", "whsec_abc\\t", "whsec_abc\\r\\n"}) {
    std::string message = ErrorOf("[[endpoints]]\nsecrets = [\"" + text + "\"]\n", {});
    EXPECT_THAT(message, HasSubstr("endpoints[0].secrets[0]: has leading or trailing whitespace "
                                   "(a pasted newline?)"))
        << text;
    EXPECT_THAT(message, Not(HasSubstr("whsec_abc"))) << text;
  }
}

TEST(ConfigValidateTest, StripeSecretKeyPrefix) {
  EXPECT_OK(Parse("[stripe]\nsecret_key = \"sk_test_123\"\n"));
  EXPECT_OK(Parse("[stripe]\nsecret_key = \"rk_live_123\"\n"));
  EXPECT_OK(Parse("[stripe]\nsecret_key = \"\"\n"));
  std::string message = ErrorOf("[stripe]\nsecret_key = \"pk_test_123\"\n");
  EXPECT_EQ(message, "stripe.secret_key: must start with sk_ or rk_");
  EXPECT_THAT(ErrorOf("[stripe]\nsecret_key = \"sk_test_123\\n\"\n"),
              HasSubstr("stripe.secret_key: has leading or trailing whitespace"));
}

TEST(ConfigValidateTest, StripeApiBaseAndVersion) {
  EXPECT_EQ(ErrorOf("[stripe]\napi_base = \"api.stripe.com\"\n"),
            "stripe.api_base: must start with https:// or http://");
  EXPECT_EQ(ErrorOf("[stripe]\napi_version = \"\"\n"), "stripe.api_version: must not be empty");
}

TEST(ConfigValidateTest, AdminKeysMustNotHaveWhitespace) {
  EXPECT_THAT(ErrorOf("[admin]\napp_key = \" key\"\n"),
              HasSubstr("admin.app_key: has leading or trailing whitespace"));
}

TEST(ConfigValidateTest, NonPositiveToleranceIsAllowedWithWarning) {
  ASSERT_OK_AND_ASSIGN(
      Config c, Parse("[[endpoints]]\nsecrets = [\"whsec_a\"]\ntolerance_seconds = 0\n", {}));
  EXPECT_EQ(c.endpoints[0].tolerance_seconds, 0);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_THAT(c.warnings[0], HasSubstr("endpoints[0].tolerance_seconds <= 0"));
  ASSERT_OK_AND_ASSIGN(
      Config negative,
      Parse("[[endpoints]]\nsecrets = [\"whsec_a\"]\ntolerance_seconds = -10\n", {}));
  EXPECT_EQ(negative.endpoints[0].tolerance_seconds, -10);
}

TEST(ConfigValidateTest, ManualClockIsWarnedAbout) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse("[testing]\nmanual_clock_start = 0\n"));
  EXPECT_EQ(c.testing.manual_clock_start, 0);
  EXPECT_THAT(c.warnings, ElementsAre(HasSubstr("testing.manual_clock_start")));
}

}  // namespace
}  // namespace stripehook::app
