#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "http/server.h"
#include "test_client.h"
#include "test_server.h"

namespace stripehook::http {
namespace {

using namespace std::chrono_literals;
using testing::MakeRequest;
using testing::RawClient;
using testing::TestOptions;
using testing::TestServer;

// Keeps the Responder of every request whose path is "/hold"; answers the rest at once.
class HoldingHandler {
 public:
  Handler AsHandler() {
    return [this](Request&& request, Responder respond) {
      if (request.path != "/hold") return respond(Response::Text(200, "quick"));
      std::lock_guard<std::mutex> lock(mu_);
      held_ = std::move(respond);
      arrived_.set_value();
    };
  }
  bool WaitForHeld(std::chrono::milliseconds timeout) {
    return arrived_future_.wait_for(timeout) == std::future_status::ready;
  }
  void Answer(Response response) {
    Responder respond;
    {
      std::lock_guard<std::mutex> lock(mu_);
      respond = std::move(held_);
    }
    respond(std::move(response));
  }

 private:
  std::mutex mu_;
  Responder held_;
  std::promise<void> arrived_;
  std::future<void> arrived_future_ = arrived_.get_future();
};

// Polls `condition` until it holds, for at most `timeout`.
template <typename Condition>
bool WaitFor(Condition condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// True once connecting to `port` is refused, polling for at most `timeout`.
bool WaitUntilRefused(uint16_t port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    RawClient probe(port);
    if (!probe.connected()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(ServerShutdownTest, InFlightRequestFinishesIdleConnectionsCloseNewOnesAreRefused) {
  HoldingHandler holder;
  TestServer server(TestOptions(), holder.AsHandler());
  uint16_t port = server.port();

  RawClient idle(port);
  ASSERT_TRUE(idle.Send(MakeRequest("GET", "/quick")));
  ASSERT_TRUE(idle.Read().has_value());  // now an idle keep-alive connection

  RawClient busy(port);
  ASSERT_TRUE(busy.Send(MakeRequest("POST", "/hold", "evt_1")));
  ASSERT_TRUE(holder.WaitForHeld(5s));
  // The quick request counts until its write completes, which may trail the client's read.
  EXPECT_TRUE(WaitFor([&] { return server.server().in_flight() == 1; }, 5s));

  server.server().Stop();
  EXPECT_TRUE(WaitUntilRefused(port, 5s));
  EXPECT_TRUE(idle.WaitForClose(5s));
  EXPECT_FALSE(server.WaitForRunToReturn(50ms));  // still draining the held request

  holder.Answer(Response::Json(200, R"({"status":"accepted"})"));
  auto response = busy.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"status":"accepted"})");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(busy.WaitForClose(5s));
  EXPECT_TRUE(server.WaitForRunToReturn(5s));
  EXPECT_EQ(server.server().in_flight(), 0);  // Run() returned: every write has completed
}

TEST(ServerShutdownTest, GraceExpiryForceClosesAndALateResponderIsHarmless) {
  HoldingHandler holder;
  ServerOptions options = TestOptions();
  options.shutdown_grace = 200ms;
  TestServer server(options, holder.AsHandler());
  RawClient busy(server.port());
  ASSERT_TRUE(busy.Send(MakeRequest("POST", "/hold")));
  ASSERT_TRUE(holder.WaitForHeld(5s));
  server.server().Stop();
  EXPECT_TRUE(server.WaitForRunToReturn(10s));
  EXPECT_TRUE(busy.WaitForClose(5s));
  EXPECT_EQ(server.server().in_flight(), 0);
  holder.Answer(Response::Text(200, "too late"));  // must be dropped, not crash
}

TEST(ServerShutdownTest, ResponderAfterClientLeftIsDropped) {
  HoldingHandler holder;
  TestServer server(TestOptions(), holder.AsHandler());
  {
    RawClient gone(server.port());
    ASSERT_TRUE(gone.Send(MakeRequest("POST", "/hold")));
    ASSERT_TRUE(holder.WaitForHeld(5s));
  }
  holder.Answer(Response::Text(200, "nobody listens"));
  RawClient next(server.port());
  ASSERT_TRUE(next.Send(MakeRequest("GET", "/quick")));
  auto response = next.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "quick");
}

TEST(ServerShutdownTest, StopWithNoConnectionsReturnsPromptly) {
  TestServer server(TestOptions(),
                    [](Request&&, Responder respond) { respond(Response::Text(200, "")); });
  server.server().Stop();
  server.server().Stop();  // idempotent
  EXPECT_TRUE(server.WaitForRunToReturn(5s));
}

}  // namespace
}  // namespace stripehook::http
