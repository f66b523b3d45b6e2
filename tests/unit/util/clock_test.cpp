#include "util/clock.h"

#include <gtest/gtest.h>

namespace stripehook::util {
namespace {

TEST(ManualClockTest, MovesOnlyWhenTold) {
  ManualClock clock;
  clock.SetUnixSeconds(1'763'802'000);
  EXPECT_EQ(clock.NowUnixSeconds(), 1'763'802'000);
  clock.Advance(std::chrono::seconds(90));
  EXPECT_EQ(clock.NowUnixSeconds(), 1'763'802'090);
  EXPECT_EQ(clock.NowUnixMicros(), 1'763'802'090'000'000);
}

TEST(SystemClockTest, IsAfter2025) {
  EXPECT_GT(SystemClock::Default().NowUnixSeconds(), 1'735'689'600);
}

}  // namespace
}  // namespace stripehook::util
