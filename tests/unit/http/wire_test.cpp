#include "http/wire.h"

#include <gtest/gtest.h>

namespace stripehook::http::internal {
namespace {

TEST(SplitTargetTest, OriginFormWithQuery) {
  Request request;
  request.target = "/v1/access/user%201?x=a%20b";
  ASSERT_TRUE(SplitTarget(request));
  EXPECT_EQ(request.path, "/v1/access/user 1");
  EXPECT_EQ(request.query, "x=a%20b");  // raw: QueryParam decodes
}

TEST(SplitTargetTest, AbsoluteFormAndRejects) {
  Request request;
  request.target = "http://example.com:8080/healthz?a=1";
  ASSERT_TRUE(SplitTarget(request));
  EXPECT_EQ(request.path, "/healthz");
  EXPECT_EQ(request.query, "a=1");
  Request bare;
  bare.target = "https://example.com";
  ASSERT_TRUE(SplitTarget(bare));
  EXPECT_EQ(bare.path, "/");
  Request star;
  star.target = "*";
  EXPECT_FALSE(SplitTarget(star));
  Request relative;
  relative.target = "healthz";
  EXPECT_FALSE(SplitTarget(relative));
}

TEST(RequestIdTest, AcceptsOnlyShortVisibleAscii) {
  EXPECT_TRUE(IsValidRequestId("req-123_ABC"));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'a')));
}

TEST(SerializeResponseHeadTest, WritesStatusLengthTypeAndId) {
  Response response = Response::Json(200, R"({"ok":true})");
  std::string head;
  SerializeResponseHead(response, "rid-1", /*close=*/false, head);
  EXPECT_EQ(head,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n"
            "X-Request-Id: rid-1\r\n\r\n");
}

TEST(SerializeResponseHeadTest, CloseAndExtraHeadersCannotSplitTheResponse) {
  Response response = Response::Error(429, "rate_limited", "slow down");
  response.headers.emplace_back("Retry-After", "3\r\nSet-Cookie: evil=1");
  std::string head;
  SerializeResponseHead(response, "r", /*close=*/true, head);
  EXPECT_NE(head.find("HTTP/1.1 429 Too Many Requests\r\n"), std::string::npos);
  EXPECT_NE(head.find("Retry-After: 3  Set-Cookie: evil=1\r\n"), std::string::npos);
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos);
  EXPECT_NE(head.find("Connection: close\r\n\r\n"), std::string::npos);
}

TEST(SerializeResponseHeadTest, NoContentHasNoLength) {
  Response response;
  response.status = 204;
  std::string head;
  SerializeResponseHead(response, "r", false, head);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  EXPECT_EQ(head.find("Content-Type"), std::string::npos);
}

}  // namespace
}  // namespace stripehook::http::internal
