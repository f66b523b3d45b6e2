#include "util/status.h"

#include <gtest/gtest.h>

#include "support/status_matchers.h"

namespace stripehook::util {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  SH_ASSIGN_OR_RETURN(int half, Half(x));
  SH_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = UnavailableError("disk full");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(s.ToString(), "UNAVAILABLE: disk full");
  EXPECT_EQ(s.Annotate("insert").message(), "insert: disk full");
  EXPECT_TRUE(OkStatus().Annotate("x").ok());
}

TEST(StatusOrTest, PropagatesThroughMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  StatusOr<int> odd = Quarter(6);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), "odd: 3");
}

TEST(StatusOrDeathTest, ValueOfErrorIsACrash) {
  StatusOr<int> err = InvalidArgumentError("x");
  EXPECT_DEATH((void)err.value(), "check failed");
}

}  // namespace
}  // namespace stripehook::util
