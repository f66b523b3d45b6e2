// The dashboard's assets as the router serves them, in process: what was compiled in, with which
// content types and caching headers. The browser test (dashboard_browser_test) drives the pages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <regex>
#include <string>

#include "admin/ui_assets.h"
#include "http/router.h"

namespace stripehook::admin {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class DashboardAssetsTest : public ::testing::Test {
 protected:
  void SetUp() override { AddDashboardRoutes(router_); }

  http::Response Get(const std::string& path, std::optional<std::string> if_none_match = {}) {
    http::Request request;
    request.method = "GET";
    request.path = path;
    request.target = path;
    if (if_none_match) request.headers.emplace_back("if-none-match", *if_none_match);
    std::optional<http::Response> answer;
    router_.Dispatch(std::move(request), [&](http::Response r) { answer = std::move(r); });
    EXPECT_TRUE(answer.has_value()) << path << " was not answered synchronously";
    return answer.value_or(http::Response{});
  }

  static std::string Header(const http::Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }

  http::Router router_;
};

TEST_F(DashboardAssetsTest, IndexIsServedAndRevalidated) {
  http::Response index = Get("/admin/ui/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(index.body, StartsWith("<!doctype html>"));
  EXPECT_EQ(Header(index, "Cache-Control"), "no-cache");
  EXPECT_THAT(Header(index, "Content-Security-Policy"), HasSubstr("script-src 'self'"));
  EXPECT_EQ(Header(index, "X-Content-Type-Options"), "nosniff");
  std::string etag = Header(index, "ETag");
  ASSERT_FALSE(etag.empty());

  http::Response again = Get("/admin/ui/", etag);
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(Get("/admin/ui/", "\"other\", W/" + etag).status, 304);
  EXPECT_EQ(Get("/admin/ui/", "\"other\"").status, 200);
  EXPECT_EQ(Get("/admin/ui/index.html").body, index.body);
}

TEST_F(DashboardAssetsTest, BareUiPathRedirectsToTheDirectory) {
  http::Response r = Get("/admin/ui");
  EXPECT_EQ(r.status, 308);
  EXPECT_EQ(Header(r, "Location"), "/admin/ui/");
}

// Every script and stylesheet index.html names is embedded under a hashed URL, with its own
// content type, and may be cached for good; nothing is loaded from another origin.
TEST_F(DashboardAssetsTest, IndexReferencesOnlyEmbeddedFingerprintedAssets) {
  std::string index = Get("/admin/ui/").body;
  std::regex reference(R"re((src|href)="([^"#]+)")re");
  int scripts = 0, styles = 0;
  for (std::sregex_iterator it(index.begin(), index.end(), reference), end; it != end; ++it) {
    std::string url = (*it)[2];
    SCOPED_TRACE(url);
    ASSERT_EQ(url.find("//"), std::string::npos) << "external reference";
    size_t v = url.find("?v=");
    ASSERT_NE(v, std::string::npos) << "asset URL without a content hash";
    std::string name = url.substr(0, v);
    const UiAsset* asset = FindUiAsset(name);
    ASSERT_NE(asset, nullptr);
    EXPECT_EQ("\"" + url.substr(v + 3) + "\"", asset->etag);
    http::Response r = Get("/admin/ui/" + name);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, asset->body);
    EXPECT_EQ(Header(r, "Cache-Control"), "public, max-age=31536000, immutable");
    if (name.ends_with(".js")) {
      ++scripts;
      EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
    } else if (name.ends_with(".css")) {
      ++styles;
      EXPECT_EQ(r.content_type, "text/css; charset=utf-8");
    }
  }
  EXPECT_GE(scripts, 2) << "the app and the chart library";
  EXPECT_GE(styles, 2);
}

TEST_F(DashboardAssetsTest, ChartLibraryIsEmbedded) {
  const UiAsset* uplot = FindUiAsset("uPlot.min.js");
  ASSERT_NE(uplot, nullptr);
  EXPECT_GT(uplot->body.size(), 20'000u);
  EXPECT_THAT(std::string(uplot->body), HasSubstr("uPlot"));
}

TEST_F(DashboardAssetsTest, UnknownFileIsAJson404) {
  http::Response r = Get("/admin/ui/missing.js");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_THAT(r.body, HasSubstr("\"code\":\"not_found\""));
  EXPECT_EQ(Get("/admin/ui/../admin/events").status, 404);
}

}  // namespace
}  // namespace stripehook::admin
