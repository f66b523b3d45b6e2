// Decoding of the TOML file: every key of every section, unknown keys, type and range errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config_test_util.h"

namespace stripehook::app {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kFullFile[] = R"(
[server]
address = "0.0.0.0"
port = 9090
threads = 8
header_limit_bytes = 8192
body_limit_bytes = 262144
read_timeout_ms = 5000
idle_timeout_ms = 30000
shutdown_grace_ms = 0
max_connections = 500
webhook_rate_limit_per_second = 12.5
webhook_rate_limit_burst = 50

[database]
url = "sqlite:///var/lib/stripehook/db.sqlite"
busy_timeout_ms = 2000
max_batch = 128
read_connections = 2

[[endpoints]]
name = "main"
path = "/webhooks/stripe"
aliases = ["/api/v1/webhooks/stripe"]
secrets = ["whsec_0123456789abcdef0123456789abcdef", "whsec_fedcba9876543210fedcba9876543210"]
tolerance_seconds = 600

[[endpoints]]
name = "connect"
path = "/webhooks/connect"
secrets = ["whsec_connect0123456789"]

[stripe]
secret_key = "sk_test_abcdefghijklmnop"
api_base = "http://127.0.0.1:12111"
api_version = "2024-06-20"

[admin]
admin_key = "admin-key-0123456789"
app_key = "app-key-0123456789"

[log]
level = "debug"

[testing]
manual_clock_start = 1700000000
)";

TEST(ConfigDecodeTest, FullFileSetsEveryKey) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(kFullFile, {}));
  EXPECT_EQ(c.source, "test.toml");
  EXPECT_EQ(c.server.address, "0.0.0.0");
  EXPECT_EQ(c.server.port, 9090);
  EXPECT_EQ(c.server.threads, 8);
  EXPECT_EQ(c.server.header_limit_bytes, 8192u);
  EXPECT_EQ(c.server.body_limit_bytes, 262144u);
  EXPECT_EQ(c.server.read_timeout_ms, 5000);
  EXPECT_EQ(c.server.idle_timeout_ms, 30000);
  EXPECT_EQ(c.server.shutdown_grace_ms, 0);
  EXPECT_EQ(c.server.max_connections, 500u);
  EXPECT_DOUBLE_EQ(c.server.webhook_rate_limit_per_second, 12.5);
  EXPECT_DOUBLE_EQ(c.server.webhook_rate_limit_burst, 50);
  EXPECT_EQ(c.database.url, "sqlite:///var/lib/stripehook/db.sqlite");
  EXPECT_EQ(c.database.busy_timeout_ms, 2000);
  EXPECT_EQ(c.database.max_batch, 128);
  EXPECT_EQ(c.database.read_connections, 2);
  ASSERT_EQ(c.endpoints.size(), 2u);
  EXPECT_EQ(c.endpoints[0].name, "main");
  EXPECT_THAT(c.endpoints[0].aliases, ElementsAre("/api/v1/webhooks/stripe"));
  EXPECT_THAT(c.endpoints[0].secrets, ElementsAre(kSecret, kSecret2));
  EXPECT_EQ(c.endpoints[0].tolerance_seconds, 600);
  EXPECT_EQ(c.endpoints[1].path, "/webhooks/connect");
  EXPECT_EQ(c.endpoints[1].tolerance_seconds, 300);
  EXPECT_EQ(c.stripe.secret_key, "sk_test_abcdefghijklmnop");
  EXPECT_EQ(c.stripe.api_base, "http://127.0.0.1:12111");
  EXPECT_EQ(c.stripe.api_version, "2024-06-20");
  EXPECT_EQ(c.admin.admin_key, "admin-key-0123456789");
  EXPECT_EQ(c.admin.app_key, "app-key-0123456789");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.testing.manual_clock_start, 1700000000);
  EXPECT_TRUE(c.deferred_sections.empty());
}

TEST(ConfigDecodeTest, StripeBudgetAndCheckoutLimitDefaultsAndOverrides) {
  ASSERT_OK_AND_ASSIGN(Config defaults, Parse(""));
  EXPECT_EQ(defaults.stripe.requests_per_second, 25);
  EXPECT_EQ(defaults.stripe.request_burst, 5);
  EXPECT_EQ(defaults.stripe.checkout_per_user_per_minute, 5);
  ASSERT_OK_AND_ASSIGN(Config c, Parse("[stripe]\nrequests_per_second = 2.5\nrequest_burst = 1\n"
                                       "checkout_per_user_per_minute = 12\n"));
  EXPECT_EQ(c.stripe.requests_per_second, 2.5);
  EXPECT_EQ(c.stripe.request_burst, 1);
  EXPECT_EQ(c.stripe.checkout_per_user_per_minute, 12);
  EXPECT_THAT(ErrorOf("[stripe]\nrequests_per_second = 0\n"),
              HasSubstr("stripe.requests_per_second"));
  EXPECT_THAT(ErrorOf("[stripe]\ncheckout_per_user_per_minute = 0\n"),
              HasSubstr("stripe.checkout_per_user_per_minute"));
}

TEST(ConfigDecodeTest, UnnamedSecondEndpointGetsIndexedName) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(R"(
[[endpoints]]
secrets = ["whsec_a"]
[[endpoints]]
path = "/other"
secrets = ["whsec_b"]
)",
                                       {}));
  ASSERT_EQ(c.endpoints.size(), 2u);
  EXPECT_EQ(c.endpoints[0].name, "default");
  EXPECT_EQ(c.endpoints[0].path, "/webhooks/stripe");
  EXPECT_EQ(c.endpoints[1].name, "endpoint-1");
}

TEST(ConfigDecodeTest, UnknownKeyInServerSuggestsClosest) {
  EXPECT_EQ(ErrorOf("[server]\nprot = 8080\n"),
            "unknown key 'server.prot' (did you mean 'server.port'?) (test.toml:2)");
}

TEST(ConfigDecodeTest, UnknownKeyInEachKnownSection) {
  EXPECT_THAT(ErrorOf("[database]\nurls = \"sqlite://x.db\"\n"),
              HasSubstr("unknown key 'database.urls' (did you mean 'database.url'?)"));
  EXPECT_THAT(
      ErrorOf("[[endpoints]]\nsecret = [\"whsec_x\"]\n"),
      HasSubstr("unknown key 'endpoints[0].secret' (did you mean 'endpoints[0].secrets'?)"));
  EXPECT_THAT(ErrorOf("[stripe]\napi_key = \"sk_x\"\n"), HasSubstr("unknown key 'stripe.api_key'"));
  EXPECT_THAT(ErrorOf("[admin]\nadminkey = \"k\"\n"),
              HasSubstr("unknown key 'admin.adminkey' (did you mean 'admin.admin_key'?)"));
  EXPECT_THAT(ErrorOf("[log]\nlevle = \"info\"\n"),
              HasSubstr("unknown key 'log.levle' (did you mean 'log.level'?)"));
  EXPECT_THAT(ErrorOf("[testing]\nclock = 1\n"), HasSubstr("unknown key 'testing.clock'"));
}

TEST(ConfigDecodeTest, UnknownKeyFarFromAnyKnownHasNoSuggestion) {
  EXPECT_EQ(ErrorOf("[server]\ncompletely_different = 1\n"),
            "unknown key 'server.completely_different' (test.toml:2)");
}

TEST(ConfigDecodeTest, UnknownTopLevelSectionIsRejected) {
  EXPECT_THAT(ErrorOf("[sever]\nport = 1\n"),
              HasSubstr("unknown key 'sever' (did you mean 'server'?)"));
  EXPECT_THAT(ErrorOf("[metrics]\nenabled = true\n"), HasSubstr("unknown key 'metrics'"));
  EXPECT_THAT(ErrorOf("port = 8080\n"), HasSubstr("unknown key 'port'"));
}

TEST(ConfigDecodeTest, TypeErrorsNameKeyAndExpectedType) {
  EXPECT_EQ(ErrorOf("[server]\nport = \"8080\"\n"),
            "server.port: expected an integer, got a string (test.toml:2)");
  EXPECT_THAT(ErrorOf("[server]\naddress = 127\n"),
              HasSubstr("server.address: expected a string, got an integer"));
  EXPECT_THAT(ErrorOf("[server]\nthreads = 2.5\n"),
              HasSubstr("server.threads: expected an integer, got a float"));
  EXPECT_THAT(ErrorOf("[server]\nwebhook_rate_limit_burst = \"10\"\n"),
              HasSubstr("server.webhook_rate_limit_burst: expected a number, got a string"));
  EXPECT_THAT(ErrorOf("[database]\nurl = [\"sqlite://x\"]\n"),
              HasSubstr("database.url: expected a string, got an array"));
  EXPECT_THAT(ErrorOf("[log]\nlevel = true\n"),
              HasSubstr("log.level: expected a string, got a boolean"));
  EXPECT_THAT(ErrorOf("[testing]\nmanual_clock_start = 2024-01-01T00:00:00Z\n"),
              HasSubstr("testing.manual_clock_start: expected an integer, got a date-time"));
}

TEST(ConfigDecodeTest, TypeErrorsInEndpoints) {
  EXPECT_THAT(ErrorOf("[[endpoints]]\nsecrets = \"whsec_x\"\n"),
              HasSubstr("endpoints[0].secrets: expected an array of strings, got a string"));
  EXPECT_THAT(ErrorOf("[[endpoints]]\nsecrets = [\"whsec_x\", 5]\n"),
              HasSubstr("endpoints[0].secrets[1]: expected a string, got an integer"));
  EXPECT_THAT(ErrorOf("[[endpoints]]\nsecrets = [\"a\"]\ntolerance_seconds = \"300\"\n"),
              HasSubstr("endpoints[0].tolerance_seconds: expected an integer, got a string"));
  EXPECT_THAT(ErrorOf("[endpoints]\npath = \"/x\"\n"),
              HasSubstr("endpoints: expected an array of tables ([[endpoints]]), got a table"));
  EXPECT_THAT(ErrorOf("endpoints = [1]\n"),
              HasSubstr("endpoints[0]: expected a table, got an integer"));
}

TEST(ConfigDecodeTest, SectionThatIsNotATable) {
  EXPECT_THAT(ErrorOf("server = 1\n"),
              HasSubstr("server: expected a table ([server]), got an integer"));
  EXPECT_THAT(ErrorOf("processing = \"fast\"\n"),
              HasSubstr("processing: expected a table, got a string"));
}

TEST(ConfigDecodeTest, RangeErrorsNameKeyAndRange) {
  EXPECT_EQ(ErrorOf("[server]\nport = 70000\n"),
            "server.port: must be 0..65535, got 70000 (test.toml:2)");
  EXPECT_THAT(ErrorOf("[server]\nport = -1\n"), HasSubstr("server.port: must be 0..65535"));
  EXPECT_THAT(ErrorOf("[server]\nthreads = 0\n"), HasSubstr("server.threads: must be 1..256"));
  EXPECT_THAT(ErrorOf("[server]\nthreads = 257\n"), HasSubstr("server.threads: must be 1..256"));
  EXPECT_THAT(ErrorOf("[server]\nheader_limit_bytes = 0\n"),
              HasSubstr("server.header_limit_bytes: must be 1.."));
  EXPECT_THAT(ErrorOf("[server]\nbody_limit_bytes = -5\n"),
              HasSubstr("server.body_limit_bytes: must be 1.."));
  EXPECT_THAT(ErrorOf("[server]\nread_timeout_ms = 0\n"),
              HasSubstr("server.read_timeout_ms: must be 1.."));
  EXPECT_THAT(ErrorOf("[server]\nidle_timeout_ms = 0\n"),
              HasSubstr("server.idle_timeout_ms: must be 1.."));
  EXPECT_THAT(ErrorOf("[server]\nshutdown_grace_ms = -1\n"),
              HasSubstr("server.shutdown_grace_ms: must be 0.."));
  EXPECT_THAT(ErrorOf("[server]\nmax_connections = 0\n"),
              HasSubstr("server.max_connections: must be 1.."));
  EXPECT_THAT(ErrorOf("[server]\nwebhook_rate_limit_per_second = -0.5\n"),
              HasSubstr("server.webhook_rate_limit_per_second: must be 0.."));
  EXPECT_THAT(ErrorOf("[server]\nwebhook_rate_limit_burst = nan\n"),
              HasSubstr("server.webhook_rate_limit_burst: must be 0.."));
  EXPECT_THAT(ErrorOf("[database]\nmax_batch = 0\n"),
              HasSubstr("database.max_batch: must be 1..100000"));
  EXPECT_THAT(ErrorOf("[database]\nread_connections = 0\n"),
              HasSubstr("database.read_connections: must be 1..256"));
  EXPECT_THAT(ErrorOf("[database]\nbusy_timeout_ms = -1\n"),
              HasSubstr("database.busy_timeout_ms: must be 0.."));
  EXPECT_THAT(ErrorOf("[testing]\nmanual_clock_start = -1\n"),
              HasSubstr("testing.manual_clock_start: must be 0.."));
}

TEST(ConfigDecodeTest, PortZeroMeansAnyFreePort) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse("[server]\nport = 0\n"));
  EXPECT_EQ(c.server.port, 0);
}

TEST(ConfigDecodeTest, RateLimitAcceptsIntegerOrFloat) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse("[server]\nwebhook_rate_limit_per_second = 3\n"));
  EXPECT_DOUBLE_EQ(c.server.webhook_rate_limit_per_second, 3.0);
}

TEST(ConfigDecodeTest, SyntaxErrorNamesSourceAndLine) {
  std::string message = ErrorOf("[server]\nport = = 1\n");
  EXPECT_THAT(message, HasSubstr("test.toml: TOML syntax error"));
  EXPECT_THAT(message, HasSubstr("2"));  // the line of the error, as toml11 shows it
}

TEST(ConfigDecodeTest, SyntaxErrorMasksSecretsInTheQuotedLine) {
  std::string message = ErrorOf("[[endpoints]]\nsecrets = [\"" + kSecret + "\" oops]\n");
  EXPECT_THAT(message, HasSubstr("TOML syntax error"));
  EXPECT_THAT(message, HasSubstr("whsec_…(redacted, 38 chars)"));
  EXPECT_THAT(message, Not(HasSubstr(kSecret)));
}

TEST(ConfigDecodeTest, DuplicateKeyIsASyntaxError) {
  EXPECT_THAT(ErrorOf("[server]\nport = 1\nport = 2\n"), HasSubstr("TOML syntax error"));
}

TEST(ConfigDecodeTest, DeferredSectionsAreAcceptedAndKept) {
  ASSERT_OK_AND_ASSIGN(Config c, Parse(R"(
[processing]
workers = 4
max_attempts = 8

[access]
past_due_grace = "3d"

[plans.pro]
prices = ["price_123", "price_456"]
features = ["export"]
limits = { projects = 10 }

[plans.free]
prices = []

[notify.webhook]
url = "https://app.example/hooks"
secret = "whsec_notify0123456789abc"

[notify.smtp]
host = "localhost"

[schedule]
reconcile_every = "1h"
)"));
  ASSERT_EQ(c.deferred_sections.size(), 5u);
  const ConfigNode& plans = c.deferred_sections.at("plans");
  ASSERT_EQ(plans.table.size(), 2u);
  const ConfigNode& pro = plans.table.at("pro");
  EXPECT_EQ(pro.table.at("prices").array.at(1).string, "price_456");
  EXPECT_EQ(pro.table.at("limits").table.at("projects").integer, 10);
  EXPECT_EQ(pro.line, 9);
  EXPECT_EQ(c.deferred_sections.at("processing").table.at("workers").integer, 4);
  EXPECT_EQ(c.deferred_sections.at("notify").table.at("smtp").table.at("host").string, "localhost");
  EXPECT_EQ(c.deferred_sections.at("schedule").table.at("reconcile_every").string, "1h");
  EXPECT_EQ(c.deferred_sections.at("access").table.at("past_due_grace").line, 7);
}

}  // namespace
}  // namespace stripehook::app
