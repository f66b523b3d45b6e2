#include "store/event.h"

#include <gtest/gtest.h>

namespace stripehook::store {
namespace {

TEST(EventStatusTest, NamesRoundTrip) {
  for (EventStatus s : {EventStatus::kPending, EventStatus::kProcessed, EventStatus::kIgnored,
                        EventStatus::kStale, EventStatus::kFailed, EventStatus::kDead}) {
    std::optional<EventStatus> parsed = ParseEventStatus(EventStatusName(s));
    ASSERT_TRUE(parsed.has_value()) << EventStatusName(s);
    EXPECT_EQ(*parsed, s);
  }
}

TEST(EventStatusTest, KnownNames) {
  EXPECT_EQ(EventStatusName(EventStatus::kPending), "pending");
  EXPECT_EQ(EventStatusName(EventStatus::kDead), "dead");
  EXPECT_EQ(ParseEventStatus("failed"), EventStatus::kFailed);
}

TEST(EventStatusTest, UnknownNameIsRejected) {
  EXPECT_FALSE(ParseEventStatus("Pending").has_value());
  EXPECT_FALSE(ParseEventStatus("").has_value());
  EXPECT_FALSE(ParseEventStatus("done").has_value());
}

}  // namespace
}  // namespace stripehook::store
