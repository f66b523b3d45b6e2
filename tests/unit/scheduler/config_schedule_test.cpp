#include "app/config_schedule.h"

#include "support/status_matchers.h"

namespace stripehook::app {
namespace {

const Environment kEnv = {{"STRIPE_WEBHOOK_SECRET", "whsec_0123456789abcdef0123456789abcdef"}};

util::StatusOr<ScheduleConfig> Decode(const std::string& toml) {
  SH_ASSIGN_OR_RETURN(Config config, ParseConfig(toml, "test.toml", kEnv));
  return DecodeScheduleConfig(config);
}

TEST(ScheduleConfigTest, DefaultsWithoutTheSection) {
  ASSERT_OK_AND_ASSIGN(ScheduleConfig s, Decode(""));
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.retry_failed_seconds, 900);
  EXPECT_EQ(s.backfill_seconds, 3600);
  EXPECT_EQ(s.reconcile_seconds, 21600);
  EXPECT_EQ(s.health_check_seconds, 3600);
  EXPECT_EQ(s.cleanup_seconds, 86400);
  EXPECT_EQ(s.retention_days, 30);
}

TEST(ScheduleConfigTest, ReadsIntervals) {
  ASSERT_OK_AND_ASSIGN(ScheduleConfig s,
                       Decode("[schedule]\nreconcile_seconds = 600\nbackfill_seconds = 0\n"
                              "retention_days = 7\n"));
  EXPECT_EQ(s.reconcile_seconds, 600);
  EXPECT_EQ(s.backfill_seconds, 0);
  EXPECT_EQ(s.retention_days, 7);
}

TEST(ScheduleConfigTest, BadValueAndUnknownKeyNameTheKey) {
  util::StatusOr<ScheduleConfig> negative = Decode("[schedule]\nreconcile_seconds = -1\n");
  ASSERT_FALSE(negative.ok());
  EXPECT_THAT(negative.status().message(), ::testing::HasSubstr("schedule.reconcile_seconds"));
  util::StatusOr<ScheduleConfig> typo = Decode("[schedule]\nreconcile_second = 60\n");
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(typo.status().message(), ::testing::HasSubstr("did you mean"));
}

}  // namespace
}  // namespace stripehook::app
