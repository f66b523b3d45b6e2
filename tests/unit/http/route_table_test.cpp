// RouteTable: which patterns a path matches, in the order they were added, whatever bucket
// (first segment) they sit in.

#include "http/route_table.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace stripehook::http {
namespace {

std::vector<size_t> AllMatches(const RouteTable& table, std::string_view path) {
  std::vector<size_t> found;
  table.ForEachMatch(path, [&](size_t index) {
    found.push_back(index);
    return false;
  });
  return found;
}

TEST(RouteTableTest, MatchesInTheOrderAddedAcrossBuckets) {
  RouteTable table;
  EXPECT_EQ(table.Add("/{tenant}/x"), 0u);
  EXPECT_EQ(table.Add("/v1/x"), 1u);
  EXPECT_EQ(table.Add("/{tenant}/y"), 2u);
  EXPECT_EQ(table.Add("/v1/{name}"), 3u);
  EXPECT_EQ(table.Add("/*"), 4u);
  EXPECT_EQ(AllMatches(table, "/v1/x"), (std::vector<size_t>{0, 1, 3, 4}));
  EXPECT_EQ(AllMatches(table, "/v2/y"), (std::vector<size_t>{2, 4}));
  EXPECT_EQ(AllMatches(table, "/v1/y"), (std::vector<size_t>{2, 3, 4}));
  EXPECT_EQ(table.FirstMatch("/v1/z"), 3u);
  EXPECT_EQ(table.FirstMatch("/v1/x"), 0u);
}

TEST(RouteTableTest, FirstAddedWinsBetweenALiteralAndAParameter) {
  RouteTable table;
  table.Add("/admin/events/stats");
  table.Add("/admin/events/{id}");
  EXPECT_EQ(table.FirstMatch("/admin/events/stats"), 0u);
  EXPECT_EQ(table.FirstMatch("/admin/events/evt_1"), 1u);
}

TEST(RouteTableTest, ParametersAreOneNonEmptySegment) {
  RouteTable table;
  table.Add("/v1/access/{user_id}");
  EXPECT_EQ(table.FirstMatch("/v1/access/user_1"), 0u);
  EXPECT_EQ(table.FirstMatch("/v1/access/"), table.size());
  EXPECT_EQ(table.FirstMatch("/v1/access"), table.size());
  EXPECT_EQ(table.FirstMatch("/v1/access/a/b"), table.size());
  EXPECT_EQ(table.FirstMatch("/v2/access/user_1"), table.size());
  std::vector<std::pair<std::string, std::string>> params;
  table.Params(0, "/v1/access/user_1", params);
  EXPECT_EQ(params, (std::vector<std::pair<std::string, std::string>>{{"user_id", "user_1"}}));
}

TEST(RouteTableTest, TrailingWildcardTakesTheRest) {
  RouteTable table;
  table.Add("/admin/ui/*");
  std::vector<std::pair<std::string, std::string>> params;
  ASSERT_EQ(table.FirstMatch("/admin/ui/assets/app.js"), 0u);
  table.Params(0, "/admin/ui/assets/app.js", params);
  EXPECT_EQ(params, (std::vector<std::pair<std::string, std::string>>{{"*", "assets/app.js"}}));
  EXPECT_EQ(table.FirstMatch("/admin/ui"), 0u);
  EXPECT_EQ(table.FirstMatch("/admin/other"), table.size());
}

TEST(RouteTableTest, RootAndPatternTexts) {
  RouteTable table;
  table.Add("/");
  table.Add("healthz");
  EXPECT_EQ(table.Pattern(0), "/");
  EXPECT_EQ(table.Pattern(1), "/healthz");
  EXPECT_EQ(table.FirstMatch("/"), 0u);
  EXPECT_EQ(table.FirstMatch(""), 0u);
  EXPECT_EQ(table.FirstMatch("/healthz"), 1u);
  EXPECT_EQ(table.FirstMatch("/nothing"), table.size());
}

}  // namespace
}  // namespace stripehook::http
