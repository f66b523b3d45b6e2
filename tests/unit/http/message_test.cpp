#include "http/message.h"

#include <gtest/gtest.h>

namespace stripehook::http {
namespace {

Request WithHeaders() {
  Request request;
  request.headers = {{"content-type", "application/json"},
                     {"stripe-signature", "t=1,v1=a"},
                     {"stripe-signature", "t=2,v1=b"}};
  return request;
}

TEST(RequestTest, HeaderIsCaseInsensitiveAndReturnsTheFirst) {
  Request request = WithHeaders();
  EXPECT_EQ(request.Header("Content-Type"), "application/json");
  EXPECT_EQ(request.Header("STRIPE-SIGNATURE"), "t=1,v1=a");
  EXPECT_FALSE(request.Header("x-missing").has_value());
}

TEST(RequestTest, HeaderCountCountsRepeats) {
  Request request = WithHeaders();
  EXPECT_EQ(request.HeaderCount("Stripe-Signature"), 2u);
  EXPECT_EQ(request.HeaderCount("content-type"), 1u);
  EXPECT_EQ(request.HeaderCount("authorization"), 0u);
}

TEST(RequestTest, ParamReturnsValueOrEmpty) {
  Request request;
  request.params = {{"user_id", "u_1"}, {"id", "evt_2"}};
  EXPECT_EQ(request.Param("user_id"), "u_1");
  EXPECT_EQ(request.Param("id"), "evt_2");
  EXPECT_EQ(request.Param("other"), "");
}

TEST(RequestTest, QueryParamDecodesPercentAndPlus) {
  Request request;
  request.query = "status=failed&type=invoice.paid&q=a+b%20c%2Bd&empty=&flag&%73tatus2=x";
  EXPECT_EQ(request.QueryParam("status"), "failed");
  EXPECT_EQ(request.QueryParam("type"), "invoice.paid");
  EXPECT_EQ(request.QueryParam("q"), "a b c+d");
  EXPECT_EQ(request.QueryParam("empty"), "");
  EXPECT_EQ(request.QueryParam("flag"), "");
  EXPECT_EQ(request.QueryParam("status2"), "x");
  EXPECT_FALSE(request.QueryParam("limit").has_value());
}

TEST(RequestTest, QueryParamTakesTheFirstOccurrence) {
  Request request;
  request.query = "limit=10&limit=20";
  EXPECT_EQ(request.QueryParam("limit"), "10");
}

TEST(PercentDecodeTest, KeepsInvalidEscapes) {
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("%2f%2F", false), "//");
}

TEST(ResponseTest, ErrorBuildsEscapedJson) {
  Response response = Response::Error(400, "invalid_payload", "bad \"x\"\n\\ end");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"error":{"code":"invalid_payload","message":"bad \"x\"\n\\ end"}})");
}

TEST(ResponseTest, JsonAndText) {
  Response json = Response::Json(201, R"({"a":1})");
  EXPECT_EQ(json.status, 201);
  EXPECT_EQ(json.content_type, "application/json");
  EXPECT_EQ(json.body, R"({"a":1})");
  Response text = Response::Text(200, "ok");
  EXPECT_EQ(text.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(text.body, "ok");
  EXPECT_FALSE(text.close_connection);
}

}  // namespace
}  // namespace stripehook::http
