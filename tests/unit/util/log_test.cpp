#include "util/log.h"

#include <gtest/gtest.h>

#include <string>

namespace stripehook::util {
namespace {

TEST(LogTest, OneJsonObjectPerLineWithEscaping) {
  std::string out;
  SetLogSinkForTesting([&](std::string_view line) { out += line; });
  LogInfo("webhook").Str("event_id", "evt_\"1\"\n").Int("status", 200).Bool("dup", false);
  SetLogSinkForTesting(nullptr);
  EXPECT_NE(out.find("\"msg\":\"webhook\""), std::string::npos);
  EXPECT_NE(out.find("\"event_id\":\"evt_\\\"1\\\"\\n\""), std::string::npos);
  EXPECT_NE(out.find("\"status\":200"), std::string::npos);
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
}

TEST(LogTest, BelowMinimumLevelIsDropped) {
  std::string out;
  SetLogSinkForTesting([&](std::string_view line) { out += line; });
  SetMinLogLevel(LogLevel::kWarn);
  LogInfo("quiet");
  SetMinLogLevel(LogLevel::kInfo);
  SetLogSinkForTesting(nullptr);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace stripehook::util
