#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "util/status.h"

// EXPECT_OK(status_or_statusor); ASSERT_OK_AND_ASSIGN(lhs, statusor_expr).
#define SH_TEST_STATUS(x) ::stripehook::testing::internal::AsStatus(x)
#define EXPECT_OK(x) EXPECT_TRUE(SH_TEST_STATUS(x).ok()) << SH_TEST_STATUS(x).ToString()
#define ASSERT_OK(x) ASSERT_TRUE(SH_TEST_STATUS(x).ok()) << SH_TEST_STATUS(x).ToString()
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(SH_STATUS_CONCAT(sh_test_so_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)   \
  auto tmp = (expr);                                \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = std::move(tmp).value()
#define EXPECT_STATUS_CODE(x, expected_code)                                         \
  EXPECT_EQ(SH_TEST_STATUS(x).code(), ::stripehook::util::StatusCode::expected_code) \
      << SH_TEST_STATUS(x).ToString()

namespace stripehook::testing::internal {
inline util::Status AsStatus(const util::Status& s) { return s; }
template <typename T>
util::Status AsStatus(const util::StatusOr<T>& s) {
  return s.status();
}
}  // namespace stripehook::testing::internal
