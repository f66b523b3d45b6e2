#include "http/router.h"

#include <gtest/gtest.h>

#include <optional>

namespace stripehook::http {
namespace {

// Dispatches synchronously and returns what the route answered.
Response Call(const Router& router, std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  std::optional<Response> out;
  router.Dispatch(std::move(request), [&](Response response) { out = std::move(response); });
  EXPECT_TRUE(out.has_value());
  return out.value_or(Response());
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Add("GET", "/healthz");
    Add("GET", "/v1/access/{user_id}");
    Add("POST", "/admin/events/{id}/retry");
    Add("GET", "/admin/events/{id}");
    Add("POST", "/webhooks/stripe");
    Add("GET", "/admin/ui/*");
  }
  // Each route answers with its pattern and the params it received.
  void Add(std::string method, std::string pattern) {
    router_.Add(method, pattern, [method, pattern](Request&& request, Responder respond) {
      std::string body = method + " " + pattern;
      for (const auto& [name, value] : request.params) body += " " + name + "=" + value;
      respond(Response::Text(200, body));
    });
  }
  Router router_;
};

TEST_F(RouterTest, LiteralRoute) {
  Response response = Call(router_, "GET", "/healthz");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "GET /healthz");
}

TEST_F(RouterTest, ParamsAreFilled) {
  EXPECT_EQ(Call(router_, "GET", "/v1/access/user_42").body,
            "GET /v1/access/{user_id} user_id=user_42");
  EXPECT_EQ(Call(router_, "POST", "/admin/events/evt_1/retry").body,
            "POST /admin/events/{id}/retry id=evt_1");
  EXPECT_EQ(Call(router_, "GET", "/admin/events/evt_1").body, "GET /admin/events/{id} id=evt_1");
}

TEST_F(RouterTest, ParamNeverMatchesEmptyOrSeveralSegments) {
  EXPECT_EQ(Call(router_, "GET", "/v1/access/").status, 404);
  EXPECT_EQ(Call(router_, "GET", "/v1/access/a/b").status, 404);
  EXPECT_EQ(Call(router_, "GET", "/v1/access").status, 404);
}

TEST_F(RouterTest, WildcardTakesTheRest) {
  EXPECT_EQ(Call(router_, "GET", "/admin/ui/assets/app.js").body,
            "GET /admin/ui/* *=assets/app.js");
  EXPECT_EQ(Call(router_, "GET", "/admin/ui/").body, "GET /admin/ui/* *=");
  EXPECT_EQ(Call(router_, "GET", "/admin/ui").body, "GET /admin/ui/* *=");
}

TEST_F(RouterTest, UnknownPathIs404Json) {
  Response response = Call(router_, "GET", "/nope");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_NE(response.body.find(R"("code":"not_found")"), std::string::npos);
  EXPECT_EQ(Call(router_, "GET", "/healthz/extra").status, 404);
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Response response = Call(router_, "GET", "/webhooks/stripe");
  EXPECT_EQ(response.status, 405);
  EXPECT_NE(response.body.find(R"("code":"method_not_allowed")"), std::string::npos);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Allow");
  EXPECT_EQ(response.headers[0].second, "POST");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  EXPECT_EQ(Call(router_, "HEAD", "/healthz").body, "GET /healthz");
  EXPECT_EQ(Call(router_, "HEAD", "/webhooks/stripe").status, 405);
}

TEST_F(RouterTest, AsHandlerDispatches) {
  Handler handler = router_.AsHandler();
  Request request;
  request.method = "GET";
  request.path = "/healthz";
  std::optional<Response> out;
  handler(std::move(request), [&](Response response) { out = std::move(response); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->body, "GET /healthz");
}

}  // namespace
}  // namespace stripehook::http
