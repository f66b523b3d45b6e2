#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "http/router.h"
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

// Answers with what it saw, so tests can check parsing end to end.
Handler Echo(std::atomic<int>* calls = nullptr) {
  return [calls](Request&& request, Responder respond) {
    if (calls != nullptr) calls->fetch_add(1);
    Response response = Response::Text(200, request.method + " " + request.path +
                                                " q=" + request.QueryParam("q").value_or("-") +
                                                " body=" + request.body);
    response.headers.emplace_back("X-Remote", request.remote_address);
    respond(std::move(response));
  };
}

TEST(ServerTest, GetAndPostRoundTrip) {
  TestServer server(TestOptions(), Echo());
  RawClient client(server.port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/v1/access/u%201?q=a+b%2Bc")));
  auto get = client.Read();
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "GET /v1/access/u 1 q=a b+c body=");
  EXPECT_EQ(get->Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(get->Header("content-length"), std::to_string(get->body.size()));
  EXPECT_EQ(get->Header("x-remote"), "127.0.0.1");
  EXPECT_TRUE(get->Header("x-request-id").has_value());
  EXPECT_FALSE(get->Header("connection").has_value());

  ASSERT_TRUE(client.Send(MakeRequest("POST", "/webhooks/stripe", R"({"id":"evt_1"})")));
  auto post = client.Read();
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->status, 200);
  EXPECT_EQ(post->body, R"(POST /webhooks/stripe q=- body={"id":"evt_1"})");
}

TEST(ServerTest, KeepAliveServesThreeRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  TestServer server(TestOptions(), Echo(&calls));
  RawClient client(server.port());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.Send(MakeRequest("POST", "/n", std::to_string(i))));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value()) << i;
    EXPECT_EQ(response->body, "POST /n q=- body=" + std::to_string(i));
  }
  EXPECT_EQ(calls.load(), 3);
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  // Answers come back on other threads after decreasing delays; order must still hold.
  std::vector<std::thread> workers;
  std::mutex mu;
  Handler handler = [&](Request&& request, Responder respond) {
    int delay_ms = 60 - 20 * std::stoi(request.body);
    std::lock_guard<std::mutex> lock(mu);
    workers.emplace_back([delay_ms, body = request.body, respond = std::move(respond)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      respond(Response::Text(200, body));
    });
  };
  {
    TestServer server(TestOptions(), handler);
    RawClient client(server.port());
    ASSERT_TRUE(client.Send(MakeRequest("POST", "/a", "0") + MakeRequest("POST", "/b", "1") +
                            MakeRequest("POST", "/c", "2")));
    for (int i = 0; i < 3; ++i) {
      auto response = client.Read();
      ASSERT_TRUE(response.has_value()) << i;
      EXPECT_EQ(response->body, std::to_string(i));
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  for (auto& worker : workers) worker.join();
}

// Each connection is bound to one io thread's io_context, taken in turn (server.cpp): all of a
// connection's requests are handled on one thread, and two connections on two threads.
TEST(ServerTest, EachConnectionIsServedByOneIoThreadInTurn) {
  std::mutex mu;
  std::map<std::string, std::set<std::thread::id>> threads_by_client;
  Handler handler = [&](Request&& request, Responder respond) {
    {
      std::lock_guard<std::mutex> lock(mu);
      threads_by_client[request.body].insert(std::this_thread::get_id());
    }
    respond(Response::Text(200, "ok"));
  };
  ServerOptions options = TestOptions();
  options.threads = 2;
  TestServer server(options, handler);
  RawClient first(server.port());
  RawClient second(server.port());
  for (int i = 0; i < 20; ++i) {
    for (auto [client, name] : {std::pair{&first, "first"}, std::pair{&second, "second"}}) {
      ASSERT_TRUE(client->Send(MakeRequest("POST", "/x", name)));
      ASSERT_TRUE(client->Read().has_value()) << name << " " << i;
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(threads_by_client["first"].size(), 1u);
  ASSERT_EQ(threads_by_client["second"].size(), 1u);
  EXPECT_NE(*threads_by_client["first"].begin(), *threads_by_client["second"].begin());
}

TEST(ServerTest, BodyOverLimitIs413AndCloses) {
  std::atomic<int> calls{0};
  ServerOptions options = TestOptions();
  options.body_limit = 1024;
  TestServer server(options, Echo(&calls));
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(MakeRequest("POST", "/webhooks/stripe", std::string(64 * 1024, 'x'))));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(
      response->body,
      R"({"error":{"code":"payload_too_large","message":"request body exceeds 1024 bytes"}})");
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose(5s));
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, ChunkedBodyOverLimitIs413) {
  ServerOptions options = TestOptions();
  options.body_limit = 100;
  TestServer server(options, Echo());
  RawClient client(server.port());
  std::string chunk(80, 'y');
  ASSERT_TRUE(
      client.Send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "50\r\n" +
                  chunk + "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
}

TEST(ServerTest, ChunkedBodyWithinLimitIsReassembled) {
  TestServer server(TestOptions(), Echo());
  RawClient client(server.port());
  ASSERT_TRUE(
      client.Send("POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "POST /x q=- body=abcde");
}

TEST(ServerTest, HeadersOverLimitAre431) {
  ServerOptions options = TestOptions();
  options.header_limit = 1024;
  TestServer server(options, Echo());
  RawClient client(server.port());
  ASSERT_TRUE(
      client.Send(MakeRequest("GET", "/", "", "X-Big: " + std::string(4000, 'h') + "\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_NE(response->body.find(R"("code":"headers_too_large")"), std::string::npos);
  EXPECT_TRUE(client.WaitForClose(5s));
}

TEST(ServerTest, MalformedRequestIs400AndCloses) {
  std::atomic<int> calls{0};
  TestServer server(TestOptions(), Echo(&calls));
  RawClient client(server.port());
  ASSERT_TRUE(client.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(response->body.find(R"("code":"bad_request")"), std::string::npos);
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose(5s));
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, AsteriskTargetIs400) {
  TestServer server(TestOptions(), Echo());
  RawClient client(server.port());
  ASSERT_TRUE(client.Send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
}

TEST(ServerTest, AsyncHandlerAnswersFromAnotherThread) {
  std::thread worker;
  Handler handler = [&worker](Request&& request, Responder respond) {
    worker = std::thread([body = request.body, respond = std::move(respond)] {
      std::this_thread::sleep_for(100ms);  // stands in for a database commit
      respond(Response::Json(200, R"({"status":"accepted","id":")" + body + R"("})"));
    });
  };
  {
    TestServer server(TestOptions(), handler);
    RawClient client(server.port());
    ASSERT_TRUE(client.Send(MakeRequest("POST", "/webhooks/stripe", "evt_9")));
    auto response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, R"({"status":"accepted","id":"evt_9"})");
    // The connection is still usable afterwards.
    worker.join();
    ASSERT_TRUE(client.Send(MakeRequest("POST", "/webhooks/stripe", "evt_10")));
    response = client.Read();
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->body, R"({"status":"accepted","id":"evt_10"})");
  }
  worker.join();
}

TEST(ServerTest, SlowClientIsDroppedAfterReadTimeout) {
  std::atomic<int> calls{0};
  ServerOptions options = TestOptions();
  options.read_timeout = 300ms;
  options.idle_timeout = 30s;  // so only the read timeout can end this connection in time
  TestServer server(options, Echo(&calls));
  RawClient client(server.port());
  ASSERT_TRUE(client.Send("POST /webhooks/stripe HTTP/1.1\r\nHost: t\r\nContent-Le"));
  EXPECT_TRUE(client.WaitForClose(10s));
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, SlowBodyIsDroppedAfterReadTimeout) {
  std::atomic<int> calls{0};
  ServerOptions options = TestOptions();
  options.read_timeout = 300ms;
  options.idle_timeout = 30s;
  TestServer server(options, Echo(&calls));
  RawClient client(server.port());
  ASSERT_TRUE(client.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc"));
  EXPECT_TRUE(client.WaitForClose(10s));
  EXPECT_EQ(calls.load(), 0);
}

TEST(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options = TestOptions();
  options.idle_timeout = 300ms;
  options.read_timeout = 30s;
  TestServer server(options, Echo());
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/")));
  ASSERT_TRUE(client.Read().has_value());
  EXPECT_TRUE(client.WaitForClose(10s));
}

TEST(ServerTest, ConnectionCloseRequestIsHonoured) {
  TestServer server(TestOptions(), Echo());
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/", "", "Connection: close\r\n")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->Header("connection"), "close");
  EXPECT_TRUE(client.WaitForClose(5s));
}

TEST(ServerTest, HandlerExceptionBecomes500) {
  Handler handler = [](Request&&, Responder) { throw std::runtime_error("boom"); };
  TestServer server(TestOptions(), handler);
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  EXPECT_NE(response->body.find(R"("code":"internal")"), std::string::npos);
  // The connection survives a throwing handler.
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/")));
  EXPECT_EQ(client.Read()->status, 500);
}

TEST(ServerTest, SecondResponderCallIsIgnored) {
  Handler handler = [](Request&& request, Responder respond) {
    respond(Response::Text(200, "first " + request.body));
    respond(Response::Text(500, "second"));
  };
  TestServer server(TestOptions(), handler);
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(MakeRequest("POST", "/", "a") + MakeRequest("POST", "/", "b")));
  EXPECT_EQ(client.Read()->body, "first a");
  EXPECT_EQ(client.Read()->body, "first b");
}

TEST(ServerTest, RequestIdIsEchoedOrGenerated) {
  std::vector<std::string> seen;
  std::mutex mu;
  Handler handler = [&](Request&& request, Responder respond) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(request.request_id);
    respond(Response::Text(200, ""));
  };
  TestServer server(TestOptions(), handler);
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/", "", "X-Request-Id: abc-123\r\n")));
  auto echoed = client.Read();
  ASSERT_TRUE(echoed.has_value());
  EXPECT_EQ(echoed->Header("x-request-id"), "abc-123");
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/")));
  auto first = client.Read();
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/")));
  auto second = client.Read();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->Header("x-request-id") && second->Header("x-request-id"));
  EXPECT_NE(*first->Header("x-request-id"), *second->Header("x-request-id"));
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], "abc-123");
  EXPECT_EQ(seen[1], *first->Header("x-request-id"));
}

TEST(ServerTest, ExpectContinueGetsInterimResponse) {
  TestServer server(TestOptions(), Echo());
  RawClient client(server.port());
  ASSERT_TRUE(
      client.Send("POST /x HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                  "Content-Length: 5\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("hello"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /x q=- body=hello");
}

TEST(ServerTest, HeadRequestGetsHeadersOnly) {
  Router router;
  router.Add("GET", "/healthz",
             [](Request&&, Responder respond) { respond(Response::Text(200, "ok")); });
  TestServer server(TestOptions(), router.AsHandler());
  RawClient client(server.port());
  // If a body were sent, the second response would be misread.
  ASSERT_TRUE(client.Send(MakeRequest("HEAD", "/healthz") + MakeRequest("GET", "/healthz")));
  auto head = client.Read();
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "2");
}

TEST(ServerTest, RouterErrorsAndParamsOverTheWire) {
  Router router;
  router.Add("GET", "/v1/access/{user_id}", [](Request&& request, Responder respond) {
    respond(Response::Json(200, R"({"user_id":")" + std::string(request.Param("user_id")) + "\"}"));
  });
  TestServer server(TestOptions(), router.AsHandler());
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/v1/access/user_7")));
  EXPECT_EQ(client.Read()->body, R"({"user_id":"user_7"})");
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/nope")));
  EXPECT_EQ(client.Read()->status, 404);
  ASSERT_TRUE(client.Send(MakeRequest("POST", "/v1/access/user_7")));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->Header("allow"), "GET");
}

TEST(ServerTest, ObserverSeesEveryResponse) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::tuple<std::string, std::string, int>> records;
  RequestObserver observer = [&](const RequestRecord& record) {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_GE(record.seconds, 0.0);
    records.emplace_back(std::string(record.method), std::string(record.path), record.status);
    cv.notify_all();
  };
  ServerOptions options = TestOptions();
  options.body_limit = 10;
  TestServer server(options, Echo(), observer);
  RawClient client(server.port());
  ASSERT_TRUE(client.Send(MakeRequest("GET", "/a")));
  ASSERT_TRUE(client.Read().has_value());
  ASSERT_TRUE(client.Send(MakeRequest("POST", "/b", std::string(50, 'z'))));
  ASSERT_TRUE(client.Read().has_value());
  // The observer runs once the response is written, so it may trail the client's read.
  std::unique_lock<std::mutex> lock(mu);
  cv.wait_for(lock, 5s, [&] { return records.size() >= 2; });
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], std::make_tuple(std::string("GET"), std::string("/a"), 200));
  EXPECT_EQ(std::get<0>(records[1]), "POST");
  EXPECT_EQ(std::get<2>(records[1]), 413);
}

TEST(ServerTest, ConnectionsOverTheLimitAreClosed) {
  ServerOptions options = TestOptions();
  options.max_connections = 1;
  TestServer server(options, Echo());
  RawClient first(server.port());
  ASSERT_TRUE(first.Send(MakeRequest("GET", "/")));
  ASSERT_TRUE(first.Read().has_value());  // the first connection is registered
  RawClient second(server.port());
  ASSERT_TRUE(second.connected());
  second.Send(MakeRequest("GET", "/"));
  EXPECT_FALSE(second.Read().has_value());
  EXPECT_TRUE(second.WaitForClose(5s));
  ASSERT_TRUE(first.Send(MakeRequest("GET", "/")));
  EXPECT_TRUE(first.Read().has_value());
}

TEST(ServerTest, CreateFailsOnAnAddressInUse) {
  TestServer first(TestOptions(), Echo());
  ServerOptions options = TestOptions();
  options.address = "127.0.0.1";
  options.port = first.port();
  auto second = Server::Create(options, Echo());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), util::StatusCode::kUnavailable);
  options.address = "not an address";
  EXPECT_EQ(Server::Create(options, Echo()).status().code(), util::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stripehook::http
